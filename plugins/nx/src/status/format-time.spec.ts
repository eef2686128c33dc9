import { relativeTime, shortDigest, tookText, utcMinute } from './format-time';

const now = new Date('2026-05-01T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

describe('relativeTime with an injected clock', () => {
  it.each([
    [0, 'just now'],
    [44_000, 'just now'],
    [50_000, '1 min ago'],
    [5 * 60_000 + 30_000, '5 min ago'],
    [59 * 60_000, '59 min ago'],
    [60 * 60_000, '1 h ago'],
    [23 * 3_600_000 + 59 * 60_000, '23 h ago'],
    [2 * 86_400_000, '2 d ago'],
    [45 * 86_400_000, '1 mo ago'],
    [400 * 86_400_000, '1 y ago'],
  ])('%i ms before now reads "%s"', (ms, text) => {
    expect(relativeTime(ago(ms), now)).toBe(text);
  });

  it('a time ahead of the clock (skew between machines) reads "in …"', () => {
    expect(relativeTime(ago(-3 * 60_000), now)).toBe('in 3 min');
  });

  it('reads times written with an offset as the same instant', () => {
    expect(relativeTime('2026-05-01T13:30:00+02:00', now)).toBe('30 min ago');
    expect(utcMinute('2026-05-01T13:30:00+02:00')).toBe('2026-05-01 11:30');
  });
});

describe('short forms', () => {
  it('durations, and a dash when none was recorded', () => {
    expect(tookText(65_000)).toBe('1m5s');
    expect(tookText(250)).toBe('250ms');
    expect(tookText(undefined)).toBe('—');
  });

  it('digests: the algorithm is left out only for sha256', () => {
    expect(shortDigest(`sha256:${'ab'.repeat(32)}`)).toBe('abababab');
    expect(shortDigest(`sha512:${'cd'.repeat(64)}`)).toBe('sha512:cdcdcdcd');
    expect(shortDigest(undefined)).toBeUndefined();
  });
});
