import { XMLParser } from 'fast-xml-parser';

export interface FastlaneAction {
  /** Position in the lane, as fastlane numbers it (0-based). */
  index: number;
  name: string;
  seconds: number;
  error?: string;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'testsuite' });

/**
 * Reads fastlane's JUnit report (fastlane/report.xml): one testcase per
 * action, named "<index>: <action>", with a failure element on the action
 * that failed.
 */
export function parseFastlaneReport(xml: string): FastlaneAction[] {
  const doc = parser.parse(xml);
  const suites = doc?.testsuites?.testsuite ?? (doc?.testsuite ? [].concat(doc.testsuite) : []);
  const actions: FastlaneAction[] = [];
  for (const suite of suites) {
    for (const tc of suite.testcase ?? []) {
      const match = /^(\d+):\s*(.*)$/.exec(String(tc.name ?? ''));
      const failure = tc.failure;
      const action: FastlaneAction = {
        index: match ? Number(match[1]) : actions.length,
        name: match ? match[2] : String(tc.name ?? ''),
        seconds: Number(tc.time ?? 0),
      };
      if (failure !== undefined) action.error = String((typeof failure === 'object' ? failure.message : failure) ?? 'failed').trim();
      actions.push(action);
    }
  }
  return actions;
}

export function formatAction(a: FastlaneAction): string {
  return `${a.error === undefined ? '✔' : '✖'} ${a.index}: ${a.name} (${a.seconds.toFixed(1)}s)${a.error !== undefined ? ` — ${a.error}` : ''}`;
}
