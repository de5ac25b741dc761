// Structured logs: JSON, one object a line, for kubectl logs and any log pipeline; or text for a person at a
// terminal (LOG_FORMAT=text), with the same fields.
import winston from 'winston';

/**
 * What a terminal or a line-based reader acts on: the C0 and C1 controls (\n and \r end a line, ESC and 0x9b start
 * an escape sequence), DEL, format characters (bidirectional overrides) and the line and paragraph separators.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Every unsafe character as an escape (\n, \r, \t, else \uXXXX per UTF-16 unit). */
const escapeUnsafe = (text: string) =>
  text.replace(new RegExp(UNSAFE.source, 'gu'), (c) => SHORT_ESCAPES[c] ?? c.split('').map((unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''));

/**
 * A value as logfmt writes it (as Go's slog TextHandler does): bare when it is one plain word, else quoted with
 * quotes, backslashes and unsafe characters escaped, so no value can end the line, forge a field or reach the
 * terminal as an escape sequence.
 */
function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text === '' || /[\s"=]/.test(text) || UNSAFE.test(text) ? `"${escapeUnsafe(text.replace(/["\\]/g, '\\$&'))}"` : text;
}

/** One text log line: time, level, the message (unsafe characters escaped), then key=value fields. */
export function formatText({ timestamp, level, message, ...fields }: winston.Logform.TransformableInfo): string {
  const rest = Object.entries(fields)
    .map(([key, value]) => `${logfmtValue(key)}=${logfmtValue(value)}`)
    .join(' ');
  return `${String(timestamp)} ${level.toUpperCase().padEnd(5)} ${escapeUnsafe(String(message))}${rest ? ` ${rest}` : ''}`;
}

export function createLogger(level: string, format: 'json' | 'text' = 'json'): winston.Logger {
  const { combine, timestamp, errors, json, printf } = winston.format;
  return winston.createLogger({
    level,
    format: combine(timestamp(), errors({ stack: true }), format === 'json' ? json() : printf(formatText)),
    transports: [new winston.transports.Console()],
  });
}
