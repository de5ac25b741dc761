// Structured logs: JSON, one object a line, for kubectl logs and any log pipeline; or text for a person at a
// terminal (LOG_FORMAT=text), with the same fields.
import winston from 'winston';

export function createLogger(level: string, format: 'json' | 'text' = 'json'): winston.Logger {
  const { combine, timestamp, errors, json, printf } = winston.format;
  const text = printf(({ timestamp: at, level: lvl, message, ...fields }) => {
    const rest = Object.entries(fields)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    return `${String(at)} ${lvl.toUpperCase().padEnd(5)} ${String(message)}${rest ? ` ${rest}` : ''}`;
  });
  return winston.createLogger({
    level,
    format: combine(timestamp(), errors({ stack: true }), format === 'json' ? json() : text),
    transports: [new winston.transports.Console()],
  });
}
