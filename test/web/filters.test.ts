/** The inspection filters in the URL: what a link keeps, and what a hand-edited URL cannot smuggle in. */
import { describe, expect, it } from 'vitest';
import { describeFilter, filterFromSearch, filterToSearch, withField } from '../../src/web/client/inspections/filters.js';
import { applyQueue, queueOf, QUEUES } from '../../src/web/client/inspections/queues.js';

describe('filters in the URL', () => {
  it('round-trips every filter under the API names', () => {
    const search = new URLSearchParams({
      product: 'widget',
      line: 'L1',
      camera: 'cam-3',
      part: 'SN-4711',
      lot: 'LOT 7',
      decision: 'NG',
      review: 'unreviewed',
      minScore: '0.4',
      maxScore: '0.6',
      from: '2025-03-01T06:00:00.000Z',
      to: '2025-03-01T14:00:00.000Z',
    });
    const filter = filterFromSearch(search);
    expect(filter).toEqual({
      product: 'widget',
      line: 'L1',
      camera: 'cam-3',
      part: 'SN-4711',
      lot: 'LOT 7',
      decision: 'NG',
      review: 'unreviewed',
      minScore: 0.4,
      maxScore: 0.6,
      from: '2025-03-01T06:00:00.000Z',
      to: '2025-03-01T14:00:00.000Z',
    });
    expect(filterToSearch(filter).toString()).toBe(search.toString());
  });

  it('drops values the API would refuse, and ignores other parameters', () => {
    const filter = filterFromSearch(new URLSearchParams('decision=MAYBE&review=great&minScore=2&maxScore=abc&from=yesterday&line=%20%20&cursor=xyz'));
    expect(filter).toEqual({});
    expect(filterToSearch(filter).toString()).toBe('');
  });

  it('changes one field at a time, removing it when emptied', () => {
    const filter = withField({ decision: 'NG', line: 'L1' }, 'line', '');
    expect(filter).toEqual({ decision: 'NG' });
    expect(withField(filter, 'minScore', 0)).toEqual({ decision: 'NG', minScore: 0 });
  });

  it('describes a queue in words', () => {
    expect(describeFilter({})).toBe('All inspections');
    expect(describeFilter({ decision: 'NG', review: 'unreviewed', line: 'L2' })).toBe('line L2 · NG · Unreviewed');
    expect(describeFilter({ part: 'SN-4711', lot: 'LOT-7' })).toBe('part SN-4711 · lot LOT-7');
  });
});

describe('review queues', () => {
  it('set decision, review and score, and keep the scope', () => {
    const ng = QUEUES.find((queue) => queue.id === 'ng-to-review')!;
    const filter = applyQueue({ product: 'widget', line: 'L1', minScore: 0.9 }, ng);
    expect(filter).toEqual({ product: 'widget', line: 'L1', decision: 'NG', review: 'unreviewed' });
    expect(queueOf(filter)?.id).toBe('ng-to-review');
    expect(queueOf({ ...filter, maxScore: 0.7 })).toBeUndefined();
    expect(queueOf({ product: 'widget' })?.id).toBe('all');
  });
});
