import { runStep } from '@shipfleet/core';
import { runExecutorPlan } from './run-executor-plan';

function captureOutput() {
  const lines: string[] = [];
  const spies = [jest.spyOn(process.stdout, 'write'), jest.spyOn(process.stderr, 'write')].map((s) =>
    s.mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    }),
  );
  return { text: () => lines.join(''), restore: () => spies.forEach((s) => s.mockRestore()) };
}

describe('runExecutorPlan', () => {
  it('refuses a secret too short to mask with one line naming the problem, running nothing and never printing it', async () => {
    const out = captureOutput();
    try {
      const result = await runExecutorPlan({}, () => ({ plan: { title: 'echo', steps: [runStep('Say it', process.execPath, ['-e', 'console.log("ran")'])] }, secrets: ['pw1'] }));
      expect(result.success).toBe(false);
    } finally {
      out.restore();
    }
    expect(out.text()).toMatch(/^✖ Option "secrets": .*8 characters/m);
    expect(out.text()).not.toContain('pw1');
    expect(out.text()).not.toContain('ran');
    expect(out.text()).not.toMatch(/\n\s+at /);
  });
});
