import { createServer, connect, type Socket } from 'node:net';

export interface CuttingProxy {
  readonly url: string;
  /** Live connections cut so far. */
  cuts(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of the gateway that passes REST through and cuts every live WebSocket
 * connection mid-stream: after `framesPerConnection` whole frames from the server it forwards
 * half of the next frame's bytes, then destroys both sides, as a network failure would.
 */
export async function startCuttingProxy(target: string, { framesPerConnection = 2 } = {}): Promise<CuttingProxy> {
  const { hostname, port } = new URL(target);
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {}); // the other side's close follows
    }
    // A WebSocket may reuse a kept-alive connection that carried REST requests first (undici's does).
    let live = false;
    client.on('data', (chunk: Buffer) => {
      live ||= /^GET \/v1\/sessions\/[^/]+\/live/.test(chunk.toString('latin1', 0, 200));
      upstream.write(chunk);
    });
    let pending = Buffer.alloc(0);
    let headerDone = false;
    let frames = 0;
    upstream.on('data', (chunk: Buffer) => {
      if (!live) return void client.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      if (!headerDone) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        client.write(pending.subarray(0, end + 4));
        pending = pending.subarray(end + 4);
        headerDone = true;
      }
      for (;;) {
        const length = frameLength(pending);
        if (frames < framesPerConnection && length !== undefined && pending.length >= length) {
          client.write(pending.subarray(0, length));
          pending = pending.subarray(length);
          frames += 1;
        } else if (frames >= framesPerConnection && pending.length > 0) {
          client.write(pending.subarray(0, Math.floor(Math.min(pending.length, length ?? pending.length) / 2)));
          cuts += 1;
          client.destroy();
          upstream.destroy();
          return;
        } else return;
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the proxy has no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cuts: () => cuts,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** The whole length of the server frame (unmasked) at the start of `bytes`, once its header has arrived. */
function frameLength(bytes: Buffer): number | undefined {
  if (bytes.length < 2) return undefined;
  const short = bytes[1]! & 0x7f;
  if (short < 126) return 2 + short;
  if (short === 126) return bytes.length < 4 ? undefined : 4 + bytes.readUInt16BE(2);
  return bytes.length < 10 ? undefined : 10 + Number(bytes.readBigUInt64BE(2));
}
