/** Training runners are stopped while any inspection is in progress, and continued after the last. */
import { describe, expect, it } from 'vitest';
import { TrainingPause, type Pausable } from '../../src/jobs/training-pause.js';

function runner(): Pausable & { log: string[] } {
  const log: string[] = [];
  return { log, pause: () => log.push('pause'), resume: () => log.push('resume') };
}

describe('TrainingPause', () => {
  it('pauses on the first inspection in progress and resumes after the last', () => {
    const pause = new TrainingPause();
    const a = runner();
    pause.track(a);
    pause.inspectionStarted();
    pause.inspectionStarted();
    pause.inspectionEnded();
    expect(a.log).toEqual(['pause']);
    pause.inspectionEnded();
    expect(a.log).toEqual(['pause', 'resume']);
  });

  it('pauses a runner that starts during an inspection, and forgets runners that ended', () => {
    const pause = new TrainingPause();
    pause.inspectionStarted();
    const late = runner();
    const untrack = pause.track(late);
    expect(late.log).toEqual(['pause']);
    untrack();
    pause.inspectionEnded();
    expect(late.log).toEqual(['pause']);
  });
});
