// Sends bytes exactly as written over a fresh TCP connection and collects what comes back until the server
// closes or goes quiet, for requests a well-behaved client library refuses to send.
import { connect } from 'node:net';

export async function rawRequest(url: string, text: string, quietMs = 300): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    });
    socket.on('end', done);
    socket.on('error', (error) => (received ? done() : reject(error)));
    socket.write(text.replace(/\r?\n/g, '\r\n'));
  });
}
