// An apiserver stand-in for unit tests of the runtime's Kubernetes I/O: a plain HTTP server on a free localhost port
// that records every request and answers it with what the test says, and a KubeConfig that points at it. Also a
// logger that keeps what was logged, for tests that assert a warning.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import winston, { type Logger } from 'winston';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  contentType: string | undefined;
  /** The parsed JSON body, or undefined when there was none. */
  body: unknown;
}

/** Answers one request; may keep res open (a watch). */
export type Answer = (request: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void;

export interface FakeApiserver {
  kubeConfig: KubeConfig;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeApiserver(answer: Answer): Promise<FakeApiserver> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const request: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body: text ? JSON.parse(text) : undefined };
      requests.push(request);
      answer(request, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return {
    kubeConfig,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Writes body as the JSON answer, with status code. */
export function answerJson(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A Kubernetes Status of a failed request, as the apiserver answers one. */
export function answerStatus(res: ServerResponse, code: number, reason: string): void {
  answerJson(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: reason });
}

export interface LogEntry {
  level: string;
  message: string;
  [field: string]: unknown;
}

/** A logger (every level) that keeps each entry it is given, in order, as its JSON fields. */
export function recordingLogger(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const log = winston.createLogger({
    level: 'debug',
    transports: [new winston.transports.Stream({ stream: new Writable({ objectMode: true, write: (entry: LogEntry, _enc, next) => (entries.push(JSON.parse(JSON.stringify(entry)) as LogEntry), next()) }) })],
  });
  return { log, entries };
}
