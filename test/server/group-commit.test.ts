/** Rows ready in the same turn share one transaction; a write that throws takes only its own row out. */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/server/group-commit.js';

function database() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, note TEXT NOT NULL)');
  return db;
}

describe('GroupCommit', () => {
  it('commits the writes of one turn in one transaction and settles each with its own result', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)');
    const inTransaction: boolean[] = [];
    const results = await Promise.all(
      [1, 2, 3].map((id) =>
        commits.run(() => {
          inTransaction.push(db.inTransaction);
          return insert.run(id, `row ${id}`).changes;
        }),
      ),
    );
    expect(results).toEqual([1, 1, 1]);
    expect(inTransaction).toEqual([true, true, true]);
    expect(db.prepare('SELECT count(*) AS n FROM rows').get()).toEqual({ n: 3 });
  });

  it('rolls back only the write that threw', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO rows (id, note) VALUES (?, ?)');
    const good = commits.run(() => insert.run(1, 'kept'));
    const bad = commits.run(() => {
      insert.run(2, 'written before the failure');
      throw new Error('no');
    });
    const after = commits.run(() => insert.run(3, 'kept too'));
    await expect(bad).rejects.toThrow('no');
    await Promise.all([good, after]);
    expect(db.prepare('SELECT id FROM rows ORDER BY id').all()).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('rejects every write of a group whose commit fails', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    const run = commits.run(() => db.prepare('INSERT INTO rows (id, note) VALUES (1, ?)').run('x'));
    db.close(); // the group's transaction cannot start
    await expect(run).rejects.toThrow();
  });
});
