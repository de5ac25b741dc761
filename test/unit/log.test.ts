// LOG_FORMAT=text: a field value (a resource name, an AWS message, anything a tenant or AWS chose) can neither start
// a new log line, forge a field, nor send an escape sequence to the terminal reading it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { formatText } from '../../src/log.ts';
import { REPO } from '../support/testbed.ts';

const AT = '2026-12-04T15:00:00.000Z';
const line = (fields: Record<string, unknown>, message = 'Restore requested') => formatText({ timestamp: AT, level: 'info', message, ...fields });

describe('text logs (LOG_FORMAT=text)', () => {
  it('writes plain words bare, numbers as they are, and arrays and objects as quoted JSON', () => {
    assert.equal(
      line({ namespace: 'team-a', name: 'music', attempt: 3, namespaces: ['team-a'], lastError: { code: 'X' } }),
      '2026-12-04T15:00:00.000Z INFO  Restore requested namespace=team-a name=music attempt=3 namespaces="[\\"team-a\\"]" lastError="{\\"code\\":\\"X\\"}"',
    );
  });

  const cases: ReadonlyArray<[string, string, string]> = [
    ['a newline that would start a forged line', 'x\n2026-12-04T15:00:01.000Z ERROR Table deleted', 'name="x\\n2026-12-04T15:00:01.000Z ERROR Table deleted"'],
    ['a carriage return that would overwrite the line on a terminal', 'x\rERROR', 'name="x\\rERROR"'],
    ['ESC sequences (clear screen, colour)', 'x\u001b[2J\u001b[31mred', 'name="x\\u001b[2J\\u001b[31mred"'],
    ['the C1 control sequence introducer and DEL', 'x\u009b31m\u007f', 'name="x\\u009b31m\\u007f"'],
    ['a bidirectional override and the Unicode line separator', 'x\u202Eevil\u2028y', 'name="x\\u202eevil\\u2028y"'],
    ['a tab', 'a\tb', 'name="a\\tb"'],
    ['a space and "=" that would forge a field', 'x phase=Completed', 'name="x phase=Completed"'],
    ['quotes and backslashes inside a quoted value', 'say "hi" \\ ok', 'name="say \\"hi\\" \\\\ ok"'],
    ['the empty string', '', 'name=""'],
  ];
  for (const [what, value, expected] of cases) {
    it(`writes ${what} in a field value as ${expected}`, () => {
      assert.equal(line({ name: value }), `2026-12-04T15:00:00.000Z INFO  Restore requested ${expected}`);
    });
  }

  it('escapes controls in the message and in field keys too', () => {
    assert.equal(line({ 'a\nb': 1 }, 'Line one\nLine two \u001b[31m'), '2026-12-04T15:00:00.000Z INFO  Line one\\nLine two \\u001b[31m "a\\nb"=1');
  });

  it('createLogger with the text format writes one line per entry, whatever its fields hold', () => {
    const script = `import { createLogger } from './src/log.ts';
createLogger('info', 'text').warn('Could not record an event', { name: 'a\\nb\\rc\\u001b[2J', error: 'line1\\nline2' });`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8' });
    assert.match(out, /^\S+ WARN {2}Could not record an event name="a\\nb\\rc\\u001b\[2J" error="line1\\nline2"\n$/);
  });
});
