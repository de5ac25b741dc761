// The values the AWS CLI's override flags take, so a command from AWS's restore tutorial can be pasted: its shorthand
// (`ReadCapacityUnits=100,WriteCapacityUnits=100`, with `[...]` lists and `{...}` structures) or JSON, keys in the
// DynamoDB API's PascalCase (`SSEType`) or the resource's camelCase (`sseType`). Scalars come out as strings; the
// schema decides their types (spec-validation.ts).

export class ShorthandError extends Error {
  constructor(input: string, index: number, expected: string) {
    super(`expected ${expected} at character ${index + 1} of ${JSON.stringify(input)}`);
    this.name = 'ShorthandError';
  }
}

export type Parsed = string | Parsed[] | { [key: string]: Parsed };

/** JSON when the value starts like JSON (as the AWS CLI decides), shorthand otherwise; keys in camelCase. */
export function parseCliValue(input: string): unknown {
  const text = input.trim();
  return camelCaseKeys(text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : parseShorthand(text));
}

/**
 * The AWS CLI's shorthand: `key=value` pairs separated by commas; a value is a plain or quoted string, an explicit
 * list `[a,b]` or a structure `{k=v,...}`. (The CLI's unbracketed `key=a,b` lists are not accepted: every list
 * flag here takes structures, which need brackets anyway.)
 */
export function parseShorthand(input: string): Record<string, Parsed> {
  let i = 0;
  const fail = (expected: string): never => {
    throw new ShorthandError(input, i, expected);
  };
  const skipSpaces = () => {
    while (i < input.length && /\s/.test(input[i] ?? '')) i++;
  };
  const expect = (char: string) => {
    skipSpaces();
    if (input[i] !== char) fail(`'${char}'`);
    i++;
    skipSpaces();
  };
  const key = (): string => {
    const match = /^[A-Za-z0-9]+/.exec(input.slice(i));
    if (!match) return fail('a key');
    i += match[0].length;
    return match[0];
  };
  const quoted = (quote: string): string => {
    let out = '';
    for (i++; i < input.length && input[i] !== quote; i++) {
      if (input[i] === '\\' && (input[i + 1] === quote || input[i + 1] === '\\')) i++;
      out += input[i];
    }
    if (input[i] !== quote) fail(`a closing ${quote}`);
    i++;
    return out;
  };
  const value = (): Parsed => {
    const c = input[i];
    if (c === '[') return list();
    if (c === '{') return structure();
    if (c === '"' || c === "'") return quoted(c);
    const match = /^(?:\\,|[^,=[\]{}])*/.exec(input.slice(i)) ?? [''];
    i += match[0].length;
    return match[0].trim().replaceAll('\\,', ',');
  };
  const list = (): Parsed[] => {
    const items: Parsed[] = [];
    expect('[');
    while (input[i] !== ']') {
      if (i >= input.length) fail("']'");
      items.push(value());
      skipSpaces();
      if (i >= input.length) fail("']'");
      if (input[i] !== ']') expect(',');
    }
    i++;
    return items;
  };
  const pairs = (end: string | undefined): Record<string, Parsed> => {
    const out: Record<string, Parsed> = {};
    for (;;) {
      skipSpaces();
      const k = key();
      expect('=');
      out[k] = value();
      skipSpaces();
      if (i >= input.length || input[i] === end) return out;
      expect(',');
    }
  };
  const structure = (): Record<string, Parsed> => {
    expect('{');
    const out = pairs('}');
    if (input[i] !== '}') fail("'}'");
    i++;
    return out;
  };
  const out = pairs(undefined);
  if (i < input.length) fail('the end');
  return out;
}

/** `SSEType` → `sseType`, `KMSMasterKeyId` → `kmsMasterKeyId`, `IndexName` → `indexName`; camelCase stays. */
export function camelCase(key: string): string {
  const capitals = /^[A-Z]+/.exec(key)?.[0] ?? '';
  if (capitals.length === key.length) return key.toLowerCase();
  if (capitals.length <= 1) return key.charAt(0).toLowerCase() + key.slice(1);
  // An acronym before a word: its last capital starts the word (KMSMaster → kms + Master).
  return capitals.slice(0, -1).toLowerCase() + key.slice(capitals.length - 1);
}

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [camelCase(k), camelCaseKeys(v)]));
  }
  return value;
}
