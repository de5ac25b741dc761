import assert from 'node:assert/strict';
import { renderTroubleshooting } from '../../../src/restore/troubleshooting.ts';
import { Reason } from '../../../src/restore/restore-vocabulary.ts';

describe('troubleshooting page (docs/troubleshooting.md)', () => {
  const page = renderTroubleshooting();

  it('has an entry for every reason of the one vocabulary, as an error section or a progress row', () => {
    const missing = Object.values(Reason).filter((r) => !page.includes(`\n### ${r}\n`) && !page.includes(`| \`${r}\` |`));
    assert.deepEqual(missing, []);
  });

  it('says LimitExceeded is waited out (60 s) and AccessDenied is final, with the codes behind each', () => {
    const section = (reason: string) => page.slice(page.indexOf(`### ${reason}\n`), page.indexOf('\n###', page.indexOf(`### ${reason}\n`) + 1));
    assert.match(section('LimitExceeded'), /- \*\*Retried:\*\* Yes, after 60 s, on its own\.\n- \*\*From:\*\* `LimitExceededException`\n/);
    assert.match(section('AccessDenied'), /- \*\*Retried:\*\* No: the resource is `Failed` \(final\)[^\n]*\n- \*\*From:\*\* `AccessDeniedException`, `NotAuthorized`\n/);
  });

  it("lists the operator's own findings under their reason, e.g. TableReplaced under TableLost", () => {
    assert.match(page, /### TableLost\n\n- \*\*Retried:\*\* No[^\n]*\n- \*\*From:\*\* TableNotFound \(found by the operator\), TableReplaced \(found by the operator\), DELETING/);
  });
});
