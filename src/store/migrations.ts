/**
 * The SQLite schema, as an append-only list of migrations. A database records the last one it
 * applied in `PRAGMA user_version`; each migration runs in its own transaction together with that
 * update, so a crash leaves the database at one version or the next, never in between. Never edit
 * a migration that has shipped: add the next one.
 *
 * Times are INTEGER milliseconds since the epoch (`*_ms`): they sort, compare and bucket in SQL
 * without parsing. JSON columns hold what is only ever read whole (regions, timings, manifests).
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds a table that others reference (the only way SQLite changes a column's
   * constraint): it runs with foreign key enforcement off, as SQLite's procedure for such changes
   * says, and the references are checked before it commits.
   */
  rebuildsReferencedTable?: boolean;
}

/** Migration 3's rollup columns, and their totals over `inspections` rows with a `bin` (the score's tenth) joined with resolutions `r`. */
const ROLLUP_COLUMNS = `resolution_ms, start_ms, product_id, line, camera, inspections, ng, bin_0, bin_1, bin_2, bin_3,
  bin_4, bin_5, bin_6, bin_7, bin_8, bin_9, unreviewed, true_defect, false_alarm, missed_defect, ok, total_ms_sum, total_ms_max`;
const ROLLUP_SUMS = `r.resolution_ms, (created_ms / r.resolution_ms) * r.resolution_ms, product_id, COALESCE(line, ''), COALESCE(camera, ''),
  COUNT(*), SUM(decision = 'NG'),
  SUM(bin = 0), SUM(bin = 1), SUM(bin = 2), SUM(bin = 3), SUM(bin = 4), SUM(bin = 5), SUM(bin = 6), SUM(bin = 7), SUM(bin = 8), SUM(bin = 9),
  SUM(review_state = 'unreviewed'), SUM(review_state = 'true_defect'), SUM(review_state = 'false_alarm'),
  SUM(review_state = 'missed_defect'), SUM(review_state = 'ok'),
  SUM(total_ms), MAX(total_ms)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'products, models, inspections, reviews, training jobs, API keys, audit log',
    sql: `
      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('camera', 'qa', 'admin')),
        -- the public part of the key, safe to show in logs and listings
        prefix TEXT NOT NULL UNIQUE,
        -- sha256 of the whole key: keys are 192-bit random, so a fast hash is enough
        hash TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER
      );

      CREATE TABLE products (
        id TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        -- the active pointer: the model version that answers inspections of this product
        active_model_id INTEGER REFERENCES model_versions(id)
      );

      CREATE TABLE model_versions (
        id INTEGER PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        version TEXT NOT NULL,
        method TEXT NOT NULL,
        dir TEXT NOT NULL,
        manifest TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        registered_ms INTEGER NOT NULL,
        UNIQUE (product_id, version)
      );

      -- every change of the active pointer, in order: what rollback walks back through
      CREATE TABLE model_activations (
        id INTEGER PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        action TEXT NOT NULL CHECK (action IN ('startup', 'activate', 'rollback')),
        actor_key_id INTEGER REFERENCES api_keys(id),
        at_ms INTEGER NOT NULL
      );
      CREATE INDEX model_activations_by_product ON model_activations (product_id, id);

      -- content-addressed files under the data directory; deleting a row clears the inspections'
      -- references to it (ON DELETE SET NULL) in the same transaction
      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        last_used_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX blobs_by_last_use ON blobs (last_used_ms);

      CREATE TABLE inspections (
        id TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        product_id TEXT NOT NULL REFERENCES products(id),
        line TEXT,
        camera TEXT,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        decision TEXT NOT NULL CHECK (decision IN ('OK', 'NG')),
        score REAL NOT NULL,
        raw_score REAL NOT NULL,
        threshold REAL NOT NULL,
        regions TEXT NOT NULL,
        -- the image's hash is a fact kept forever; image_blob is the file, cleared by retention
        image_sha256 TEXT NOT NULL,
        image_format TEXT NOT NULL,
        image_width INTEGER NOT NULL,
        image_height INTEGER NOT NULL,
        image_bytes INTEGER NOT NULL,
        image_blob TEXT REFERENCES blobs(sha256) ON DELETE SET NULL,
        map_blob TEXT REFERENCES blobs(sha256) ON DELETE SET NULL,
        map_width INTEGER NOT NULL,
        map_height INTEGER NOT NULL,
        timings TEXT NOT NULL,
        total_ms REAL NOT NULL,
        client TEXT NOT NULL,
        -- the latest review's verdict, kept here so the QA filters need no join
        review_state TEXT NOT NULL DEFAULT 'unreviewed'
          CHECK (review_state IN ('unreviewed', 'true_defect', 'false_alarm', 'missed_defect', 'ok'))
      );
      CREATE INDEX inspections_by_time ON inspections (created_ms, id);
      CREATE INDEX inspections_by_product ON inspections (product_id, created_ms, id);
      CREATE INDEX inspections_by_line ON inspections (product_id, line, created_ms);
      CREATE INDEX inspections_by_decision ON inspections (product_id, decision, created_ms);
      CREATE INDEX inspections_by_review ON inspections (review_state, created_ms);
      -- foreign-key actions look inspections up by blob
      CREATE INDEX inspections_by_image_blob ON inspections (image_blob);
      CREATE INDEX inspections_by_map_blob ON inspections (map_blob);

      CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        inspection_id TEXT NOT NULL REFERENCES inspections(id),
        verdict TEXT NOT NULL CHECK (verdict IN ('true_defect', 'false_alarm', 'missed_defect', 'ok')),
        note TEXT,
        reviewer_key_id INTEGER REFERENCES api_keys(id),
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX reviews_by_inspection ON reviews (inspection_id, id);

      CREATE TABLE training_jobs (
        id TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        progress REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
        message TEXT,
        config TEXT NOT NULL,
        model_version_id INTEGER REFERENCES model_versions(id),
        error TEXT,
        created_by_key_id INTEGER REFERENCES api_keys(id),
        created_ms INTEGER NOT NULL,
        started_ms INTEGER,
        finished_ms INTEGER
      );
      CREATE INDEX training_jobs_by_product ON training_jobs (product_id, created_ms);

      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        actor_key_id INTEGER REFERENCES api_keys(id),
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_time ON audit_log (at_ms);
    `,
  },
  {
    version: 2,
    name: 'training job progress and events, shadow scoring, evaluations, threshold overrides, good sets',
    sql: `
      -- the version a job produces (named when it is queued), where its images came from, its
      -- current stage and warnings, and the pid of its runner process (to kill an orphan)
      ALTER TABLE training_jobs ADD COLUMN version TEXT;
      ALTER TABLE training_jobs ADD COLUMN stage TEXT;
      ALTER TABLE training_jobs ADD COLUMN source TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE training_jobs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE training_jobs ADD COLUMN pid INTEGER;
      CREATE INDEX training_jobs_by_status ON training_jobs (status, created_ms);

      -- what a job reported, in order: replayed to clients that (re)connect to its event stream
      CREATE TABLE training_job_events (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES training_jobs(id),
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('status', 'progress', 'warning')),
        data TEXT NOT NULL
      );
      CREATE INDEX training_job_events_by_job ON training_job_events (job_id, id);

      -- the candidate version that scores live traffic beside the active one, deciding nothing
      ALTER TABLE products ADD COLUMN shadow_model_id INTEGER REFERENCES model_versions(id);

      CREATE TABLE shadow_results (
        inspection_id TEXT NOT NULL REFERENCES inspections(id),
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        decision TEXT NOT NULL CHECK (decision IN ('OK', 'NG')),
        score REAL NOT NULL,
        raw_score REAL NOT NULL,
        threshold REAL NOT NULL,
        -- whether the shadow's decision differs from the one the camera got
        disagrees INTEGER NOT NULL CHECK (disagrees IN (0, 1)),
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (inspection_id, model_version_id)
      ) WITHOUT ROWID;
      CREATE INDEX shadow_results_by_version ON shadow_results (model_version_id, disagrees, inspection_id);

      -- a version and the one it was compared with, scored on the same validation material
      CREATE TABLE model_evaluations (
        id INTEGER PRIMARY KEY,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        baseline_version_id INTEGER REFERENCES model_versions(id),
        job_id TEXT REFERENCES training_jobs(id),
        material TEXT NOT NULL,
        metrics TEXT NOT NULL,
        baseline_metrics TEXT,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX model_evaluations_by_version ON model_evaluations (model_version_id, id);

      -- re-calibrated image thresholds; the newest row of a version applies, NULL restores the manifest's
      CREATE TABLE threshold_overrides (
        id INTEGER PRIMARY KEY,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        image_threshold REAL,
        reason TEXT NOT NULL,
        actor_key_id INTEGER REFERENCES api_keys(id),
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX threshold_overrides_by_version ON threshold_overrides (model_version_id, id);

      -- inspection images QA moved into a product's good set for its next training
      CREATE TABLE good_set_images (
        id INTEGER PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        inspection_id TEXT NOT NULL UNIQUE REFERENCES inspections(id),
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        added_by_key_id INTEGER REFERENCES api_keys(id),
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX good_set_images_by_product ON good_set_images (product_id, id);
    `,
  },
  {
    version: 3,
    name: 'an index for every inspection filter; per-minute and per-hour inspection rollups for stats',
    sql: `
      -- each filter of the inspection list on its own is an index search in the list's order, so
      -- a page stops at its last row instead of walking the whole table for a rare value
      CREATE INDEX inspections_by_line_only ON inspections (line, created_ms, id);
      CREATE INDEX inspections_by_camera ON inspections (camera, created_ms, id);
      CREATE INDEX inspections_by_decision_only ON inspections (decision, created_ms, id);

      -- Stats add these up instead of the inspections: a 30-day chart reads 720 hourly rows per
      -- product, line and camera on the main thread, not every inspection of the month. Triggers
      -- keep them in step inside the transaction that inserts, reviews or rewrites an inspection.
      -- line and camera are '' for none: NULLs never collide in a key, so an upsert would add a
      -- row per inspection.
      CREATE TABLE inspection_rollups (
        resolution_ms INTEGER NOT NULL CHECK (resolution_ms IN (60000, 3600000)),
        start_ms INTEGER NOT NULL,
        product_id TEXT NOT NULL,
        line TEXT NOT NULL,
        camera TEXT NOT NULL,
        inspections INTEGER NOT NULL,
        ng INTEGER NOT NULL,
        -- inspections per score bin [k / 10, (k + 1) / 10); bin_9 includes 1
        bin_0 INTEGER NOT NULL,
        bin_1 INTEGER NOT NULL,
        bin_2 INTEGER NOT NULL,
        bin_3 INTEGER NOT NULL,
        bin_4 INTEGER NOT NULL,
        bin_5 INTEGER NOT NULL,
        bin_6 INTEGER NOT NULL,
        bin_7 INTEGER NOT NULL,
        bin_8 INTEGER NOT NULL,
        bin_9 INTEGER NOT NULL,
        unreviewed INTEGER NOT NULL,
        true_defect INTEGER NOT NULL,
        false_alarm INTEGER NOT NULL,
        missed_defect INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        total_ms_sum REAL NOT NULL,
        total_ms_max REAL NOT NULL,
        PRIMARY KEY (resolution_ms, start_ms, product_id, line, camera)
      ) WITHOUT ROWID;

      INSERT INTO inspection_rollups (${ROLLUP_COLUMNS})
        SELECT ${ROLLUP_SUMS}
        FROM (SELECT *, MIN(CAST(score * 10 AS INTEGER), 9) AS bin FROM inspections),
          (SELECT 60000 AS resolution_ms UNION ALL SELECT 3600000) r
        GROUP BY 1, 2, 3, 4, 5;

      CREATE TRIGGER inspection_rollups_on_insert AFTER INSERT ON inspections BEGIN
        INSERT INTO inspection_rollups (${ROLLUP_COLUMNS})
        SELECT r.resolution_ms, (NEW.created_ms / r.resolution_ms) * r.resolution_ms, NEW.product_id, COALESCE(NEW.line, ''), COALESCE(NEW.camera, ''),
          1, NEW.decision = 'NG',
          b.bin = 0, b.bin = 1, b.bin = 2, b.bin = 3, b.bin = 4, b.bin = 5, b.bin = 6, b.bin = 7, b.bin = 8, b.bin = 9,
          NEW.review_state = 'unreviewed', NEW.review_state = 'true_defect', NEW.review_state = 'false_alarm',
          NEW.review_state = 'missed_defect', NEW.review_state = 'ok',
          NEW.total_ms, NEW.total_ms
        FROM (SELECT MIN(CAST(NEW.score * 10 AS INTEGER), 9) AS bin) b,
          (SELECT 60000 AS resolution_ms UNION ALL SELECT 3600000) r
        WHERE true -- an INSERT ... SELECT needs a WHERE before ON CONFLICT
        ON CONFLICT DO UPDATE SET
          inspections = inspections + excluded.inspections, ng = ng + excluded.ng,
          bin_0 = bin_0 + excluded.bin_0, bin_1 = bin_1 + excluded.bin_1, bin_2 = bin_2 + excluded.bin_2,
          bin_3 = bin_3 + excluded.bin_3, bin_4 = bin_4 + excluded.bin_4, bin_5 = bin_5 + excluded.bin_5,
          bin_6 = bin_6 + excluded.bin_6, bin_7 = bin_7 + excluded.bin_7, bin_8 = bin_8 + excluded.bin_8,
          bin_9 = bin_9 + excluded.bin_9, unreviewed = unreviewed + excluded.unreviewed,
          true_defect = true_defect + excluded.true_defect, false_alarm = false_alarm + excluded.false_alarm,
          missed_defect = missed_defect + excluded.missed_defect, ok = ok + excluded.ok,
          total_ms_sum = total_ms_sum + excluded.total_ms_sum,
          total_ms_max = MAX(total_ms_max, excluded.total_ms_max);
      END;

      CREATE TRIGGER inspection_rollups_on_review AFTER UPDATE OF review_state ON inspections
        WHEN OLD.review_state <> NEW.review_state AND NOT (
        OLD.created_ms IS NOT NEW.created_ms OR OLD.product_id IS NOT NEW.product_id OR OLD.line IS NOT NEW.line
        OR OLD.camera IS NOT NEW.camera OR OLD.decision IS NOT NEW.decision OR OLD.score IS NOT NEW.score OR OLD.total_ms IS NOT NEW.total_ms) BEGIN
        UPDATE inspection_rollups SET
          unreviewed = unreviewed - (OLD.review_state = 'unreviewed') + (NEW.review_state = 'unreviewed'),
          true_defect = true_defect - (OLD.review_state = 'true_defect') + (NEW.review_state = 'true_defect'),
          false_alarm = false_alarm - (OLD.review_state = 'false_alarm') + (NEW.review_state = 'false_alarm'),
          missed_defect = missed_defect - (OLD.review_state = 'missed_defect') + (NEW.review_state = 'missed_defect'),
          ok = ok - (OLD.review_state = 'ok') + (NEW.review_state = 'ok')
        WHERE (resolution_ms, start_ms, product_id, line, camera) IN (
          SELECT r.resolution_ms, (OLD.created_ms / r.resolution_ms) * r.resolution_ms, OLD.product_id, COALESCE(OLD.line, ''), COALESCE(OLD.camera, '')
          FROM (SELECT 60000 AS resolution_ms UNION ALL SELECT 3600000) r);
      END;

      -- Anything else rewritten (only tests back-date rows today): the hours it touched are added
      -- up again from the inspections, exactly, since a maximum cannot be taken back.
      CREATE TRIGGER inspection_rollups_on_rewrite AFTER UPDATE OF created_ms, product_id, line, camera, decision, score, total_ms ON inspections
        WHEN OLD.created_ms IS NOT NEW.created_ms OR OLD.product_id IS NOT NEW.product_id OR OLD.line IS NOT NEW.line
        OR OLD.camera IS NOT NEW.camera OR OLD.decision IS NOT NEW.decision OR OLD.score IS NOT NEW.score OR OLD.total_ms IS NOT NEW.total_ms BEGIN
        DELETE FROM inspection_rollups
        WHERE resolution_ms IN (60000, 3600000) AND product_id IN (OLD.product_id, NEW.product_id)
          AND ((start_ms >= (OLD.created_ms / 3600000) * 3600000 AND start_ms < (OLD.created_ms / 3600000 + 1) * 3600000)
            OR (start_ms >= (NEW.created_ms / 3600000) * 3600000 AND start_ms < (NEW.created_ms / 3600000 + 1) * 3600000));
        INSERT INTO inspection_rollups (${ROLLUP_COLUMNS})
        SELECT ${ROLLUP_SUMS}
        FROM (SELECT *, MIN(CAST(score * 10 AS INTEGER), 9) AS bin FROM inspections
          WHERE product_id IN (OLD.product_id, NEW.product_id) AND ((created_ms >= (OLD.created_ms / 3600000) * 3600000 AND created_ms < (OLD.created_ms / 3600000 + 1) * 3600000)
            OR (created_ms >= (NEW.created_ms / 3600000) * 3600000 AND created_ms < (NEW.created_ms / 3600000 + 1) * 3600000))),
          (SELECT 60000 AS resolution_ms UNION ALL SELECT 3600000) r
        GROUP BY 1, 2, 3, 4, 5;
      END;
    `,
  },
  {
    version: 4,
    name: 'the trainer role: trains, cancels its own jobs and curates the good set, between qa and admin',
    rebuildsReferencedTable: true,
    sql: `
      CREATE TABLE api_keys_with_trainer (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('camera', 'qa', 'trainer', 'admin')),
        prefix TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL UNIQUE,
        created_ms INTEGER NOT NULL,
        revoked_ms INTEGER
      );
      INSERT INTO api_keys_with_trainer (id, name, role, prefix, hash, created_ms, revoked_ms)
        SELECT id, name, role, prefix, hash, created_ms, revoked_ms FROM api_keys;
      DROP TABLE api_keys;
      ALTER TABLE api_keys_with_trainer RENAME TO api_keys;
    `,
  },
  {
    version: 5,
    name: 'part and lot traceability, multi-view parts with one verdict, legal holds',
    sql: `
      -- a product whose parts are seen by several cameras: its views in order, each scored by the
      -- active model of its own product ([{"name", "product"}]), and how long a part may take to
      -- show every view before it is closed as incomplete
      CREATE TABLE product_views (
        product_id TEXT PRIMARY KEY,
        views TEXT NOT NULL,
        timeout_ms INTEGER NOT NULL CHECK (timeout_ms > 0),
        updated_by_key_id INTEGER REFERENCES api_keys(id),
        updated_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- one pass of a part past a multi-view product's cameras: open until every view it expects
      -- has arrived (complete) or its deadline passed (incomplete); a view arriving for a closed
      -- pass opens the next one, so a verdict the line acted on never changes
      CREATE TABLE part_records (
        id INTEGER PRIMARY KEY,
        product_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        pass INTEGER NOT NULL,
        expected_views TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'complete', 'incomplete')),
        -- NG as soon as a view is NG; OK only once complete; INCOMPLETE when closed short of views
        verdict TEXT CHECK (verdict IN ('OK', 'NG', 'INCOMPLETE')),
        worst_score REAL,
        opened_ms INTEGER NOT NULL,
        deadline_ms INTEGER NOT NULL,
        closed_ms INTEGER,
        UNIQUE (product_id, part_id, pass)
      );
      CREATE INDEX part_records_open_by_deadline ON part_records (deadline_ms) WHERE status = 'open';

      -- what the line says an image shows: the part (serial), its lot, the station and view, and
      -- free key/value attributes (JSON, read whole; NULL when none)
      ALTER TABLE inspections ADD COLUMN part_id TEXT;
      ALTER TABLE inspections ADD COLUMN lot TEXT;
      ALTER TABLE inspections ADD COLUMN station TEXT;
      ALTER TABLE inspections ADD COLUMN view TEXT;
      ALTER TABLE inspections ADD COLUMN attributes TEXT;
      ALTER TABLE inspections ADD COLUMN part_record_id INTEGER REFERENCES part_records(id);
      -- partial: most inspections carry none of these, and cost no index entry; "part_id = ?"
      -- implies NOT NULL, so the searches use them
      CREATE INDEX inspections_by_part ON inspections (part_id, created_ms, id) WHERE part_id IS NOT NULL;
      CREATE INDEX inspections_by_lot ON inspections (lot, created_ms, id) WHERE lot IS NOT NULL;
      CREATE INDEX inspections_by_station ON inspections (station, created_ms, id) WHERE station IS NOT NULL;
      CREATE INDEX inspections_by_view ON inspections (view, created_ms, id) WHERE view IS NOT NULL;
      CREATE INDEX inspections_by_part_record ON inspections (part_record_id) WHERE part_record_id IS NOT NULL;

      -- lots and parts (by part id, in every product) whose files retention must keep
      CREATE TABLE legal_holds (
        kind TEXT NOT NULL CHECK (kind IN ('lot', 'part')),
        value TEXT NOT NULL,
        reason TEXT NOT NULL,
        actor_key_id INTEGER REFERENCES api_keys(id),
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (kind, value)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'result sinks and the durable outbox',
    sql: `
      -- where results leave kensa: a webhook, an MQTT broker or a folder, for one product and
      -- optionally one line and camera (NULL: any); settings hold the kind's JSON, secrets included
      CREATE TABLE sinks (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        product_id TEXT NOT NULL,
        line TEXT,
        camera TEXT,
        kind TEXT NOT NULL,
        -- which inspections: NG only, all, or NG and a sampled share of OK
        filter TEXT NOT NULL CHECK (filter IN ('ng', 'all', 'sample')),
        ok_share REAL NOT NULL CHECK (ok_share BETWEEN 0 AND 1),
        with_overlay INTEGER NOT NULL CHECK (with_overlay IN (0, 1)),
        dead_letter_after_ms INTEGER NOT NULL CHECK (dead_letter_after_ms > 0),
        settings TEXT NOT NULL,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX sinks_by_product ON sinks (product_id);

      -- one entry per inspection and matching sink, written in the inspection's transaction;
      -- delivered in id order per sink; dead once it kept failing for the sink's dead-letter age
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        sink_id INTEGER NOT NULL REFERENCES sinks(id) ON DELETE CASCADE,
        inspection_id TEXT NOT NULL REFERENCES inspections(id),
        created_ms INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL,
        last_error TEXT,
        done_ms INTEGER
      );
      CREATE INDEX outbox_pending ON outbox (sink_id, id) WHERE state = 'pending';
      CREATE INDEX outbox_dead ON outbox (sink_id, id) WHERE state = 'dead';
      -- delivered entries are pruned by age
      CREATE INDEX outbox_delivered ON outbox (done_ms) WHERE state = 'delivered';
    `,
  },
  {
    version: 7,
    name: 'line health: image quality per inspection, drift events, the sampled review queue, per-product settings',
    sql: `
      -- image quality of the model input (src/health/image-quality.ts); NULL for rows logged before
      ALTER TABLE inspections ADD COLUMN brightness REAL;
      ALTER TABLE inspections ADD COLUMN contrast REAL;
      ALTER TABLE inspections ADD COLUMN focus REAL;
      ALTER TABLE inspections ADD COLUMN saturation REAL;

      -- a product's drift and review-sampling settings (JSON, read whole); no row: the defaults
      CREATE TABLE line_health_settings (
        product_id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        updated_by_key_id INTEGER REFERENCES api_keys(id),
        updated_ms INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- a camera whose window moved away from the model's reference (or whose NG rate rose above
      -- its recent baseline): what moved, by how much, since when; open until it is back
      CREATE TABLE drift_events (
        id INTEGER PRIMARY KEY,
        product_id TEXT NOT NULL,
        -- '' for none, as in inspection_rollups
        line TEXT NOT NULL,
        camera TEXT NOT NULL,
        model_version_id INTEGER NOT NULL REFERENCES model_versions(id),
        measure TEXT NOT NULL CHECK (measure IN ('rawScore', 'brightness', 'contrast', 'focus', 'saturation', 'ngRate')),
        statistic REAL NOT NULL,
        "limit" REAL NOT NULL,
        reference_value REAL NOT NULL,
        observed_value REAL NOT NULL,
        window_size INTEGER NOT NULL,
        -- the newest frames of the window that account for the distance: the move's own frames
        recent_frames INTEGER NOT NULL,
        since_ms INTEGER NOT NULL,
        detected_ms INTEGER NOT NULL,
        inspection_id TEXT NOT NULL REFERENCES inspections(id),
        resolved_ms INTEGER
      );
      CREATE INDEX drift_events_by_product ON drift_events (product_id, id);

      -- a drift alert on its way out through the sinks, beside the inspections' results: the event
      -- it reports (inspection_id is then the inspection that completed the evidence); NULL for a result
      ALTER TABLE outbox ADD COLUMN drift_event_id INTEGER REFERENCES drift_events(id);
      CREATE INDEX drift_events_open ON drift_events (product_id, line, camera, measure) WHERE resolved_ms IS NULL;

      -- inspections the sampling policy put in front of QA, and why; kept once reviewed (the
      -- detail page still says why it was asked), waiting only while unreviewed
      CREATE TABLE review_queue (
        inspection_id TEXT PRIMARY KEY REFERENCES inspections(id),
        product_id TEXT NOT NULL,
        line TEXT NOT NULL,
        camera TEXT NOT NULL,
        reason TEXT NOT NULL CHECK (reason IN ('ng', 'near-threshold', 'ok-sample')),
        -- 0 first: NG, then near the threshold, then sampled clear OK
        priority INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        waiting INTEGER NOT NULL DEFAULT 1 CHECK (waiting IN (0, 1))
      ) WITHOUT ROWID;
      CREATE INDEX review_queue_waiting ON review_queue (product_id, priority, created_ms) WHERE waiting = 1;
      CREATE INDEX review_queue_by_camera ON review_queue (product_id, line, camera, created_ms);

      -- whatever records the review (an inspection's or a part's), the queue follows it
      CREATE TRIGGER review_queue_on_review AFTER UPDATE OF review_state ON inspections
        WHEN OLD.review_state IS NOT NEW.review_state BEGIN
        UPDATE review_queue SET waiting = (NEW.review_state = 'unreviewed') WHERE inspection_id = NEW.id;
      END;
    `,
  },
  {
    version: 8,
    name: 'part verdicts to the sinks',
    sql: `
      -- a part's verdict on its way out through the sinks: the pass it reports (inspection_id is
      -- then the pass's latest view); NULL for an inspection's result or a drift alert
      ALTER TABLE outbox ADD COLUMN part_record_id INTEGER REFERENCES part_records(id);
    `,
  },
];
