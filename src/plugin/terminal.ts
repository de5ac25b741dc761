// Where the commands write: standard output for results, standard error for failures, both flushed before the
// process exits (a pipe may be asynchronous).
export interface Terminal {
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
}

export const processTerminal: Terminal = {
  out: (text) => write(process.stdout, text),
  err: (text) => write(process.stderr, text),
};

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}
