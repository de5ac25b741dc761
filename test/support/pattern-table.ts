// Policy patterns and values with the answer RE2 gives (github.com/google/re2/wiki/Syntax), as Go's regexp (CEL in
// the apiserver) implements it, written down by hand. test/integration/pattern-dialect.test.ts holds the apiserver's
// CEL and the operator's matcher to it; test/unit/restore/restore-policy.test.ts the operator's matcher alone.
export type Answer = 'match' | 'no match' | 'does not compile';

// [pattern, value, answer]
export const PATTERN_TABLE: Array<[string, string, Answer]> = [
  // POSIX classes, which JavaScript reads as a class of [, :, l, o, w, e, r followed by ]
  ['squad-[[:lower:]]+', 'squad-c', 'match'],
  ['squad-[[:lower:]]+', 'squad-C', 'no match'],
  ['[[:^digit:]]+', 'abc', 'match'],
  ['squad-[[:lower:]+', 'squad-c', 'does not compile'],
  // Quoting
  ['\\Qteam.a\\E', 'team.a', 'match'],
  ['\\Qteam.a\\E', 'teamxa', 'no match'],
  ['\\Q(a)\\E', '(a)', 'match'],
  ['\\Qabc', 'abc', 'does not compile'],
  // Flags
  ['(?i)team-a', 'TEAM-A', 'match'],
  ['(?i:team)-a', 'TEAM-A', 'no match'],
  ['(?i:team)-a', 'TEAM-a', 'match'],
  ['(?s).', '\n', 'match'],
  ['.', '\n', 'no match'],
  ['(?m)team-a$', 'team-a\n', 'no match'],
  // Anchors: the value must match whole, and $ is the end of the text, not of a line
  ['^team-a$', 'team-a', 'match'],
  ['team-a', 'my-team-a', 'no match'],
  ['team-a$', 'team-a\n', 'no match'],
  ['a\\z', 'a', 'match'],
  // Alternation binds inside the wrapper
  ['team-a|team-b', 'team-b', 'match'],
  ['team-a|team-b', 'team-ab', 'no match'],
  ['a|', '', 'match'],
  ['a)|(b', 'axxx', 'does not compile'],
  // Unicode: code points, not UTF-16 units; \d and \w are ASCII
  ['.', '😀', 'match'],
  ['..', '😀', 'no match'],
  ['\\x{1F600}', '😀', 'match'],
  ['\\pL+', 'équipe', 'match'],
  ['\\p{Greek}+', 'αβγ', 'match'],
  ['\\d+', '٣', 'no match'],
  ['\\w+', 'é', 'no match'],
  // The empty string
  ['.*', '', 'match'],
  ['.+', '', 'no match'],
  ['x*', '', 'match'],
  // Named groups
  ['(?P<team>a)-b', 'a-b', 'match'],
  // What RE2 refuses (JavaScript accepts the first three)
  ['(?!admin).*', 'x', 'does not compile'],
  ['(a)\\1', 'aa', 'does not compile'],
  ['a++', 'aa', 'does not compile'],
  ['(unclosed', 'x', 'does not compile'],
  ['x{2,1}', 'x', 'does not compile'],
  ['a{1001}', 'a', 'does not compile'],
  ['\\C', 'a', 'does not compile'],
  // A nested quantifier: linear in RE2, whatever the value
  ['(a+)+b', 'a'.repeat(30), 'no match'],
];
