// --level-stream: one websocket client subscribed to each conference's level stream for the
// whole run, as an operator's console is; it counts the frames so the report shows they came.
import WebSocket from 'ws';

export class LevelStreamClient {
  frames = 0;
  #framesAtMark = 0;
  readonly #ws: WebSocket;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      if (String(data).includes('"name":"levels"')) this.frames++;
    });
  }

  static async open(httpUrl: string, token: string, accountId: string, conferenceIds: string[]): Promise<LevelStreamClient> {
    const ws = new WebSocket(httpUrl.replace(/^http/, 'ws') + '/v2/websocket');
    await new Promise<void>((resolve, reject) => (ws.once('open', () => resolve()), ws.once('error', reject)));
    const client = new LevelStreamClient(ws);
    for (const id of conferenceIds) {
      ws.send(JSON.stringify({ action: 'subscribe', auth_token: token, request_id: id, data: { account_id: accountId, binding: `conference.levels.${id}` } }));
    }
    return client;
  }

  /** Frames since the last mark (the measured window's). */
  mark(): number {
    const n = this.frames - this.#framesAtMark;
    this.#framesAtMark = this.frames;
    return n;
  }

  close(): void {
    this.#ws.close();
  }
}
