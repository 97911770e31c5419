/** Structured log lines; the server will plug in its own sink. */
export interface Logger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** JSON lines on stderr, the default until an application provides a logger. */
export const stderrLogger: Logger = {
  info: (fields, msg) => write('info', fields, msg),
  warn: (fields, msg) => write('warn', fields, msg),
  error: (fields, msg) => write('error', fields, msg),
};

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

function write(level: string, fields: Record<string, unknown>, msg: string): void {
  process.stderr.write(JSON.stringify({ level, time: Date.now(), msg, ...fields }) + '\n');
}
