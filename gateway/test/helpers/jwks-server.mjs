// A JWKS endpoint as its own process, as an identity provider is: serves the JSON file named on the command line
// at GET /jwks.json, read again on every request (so a test rotates keys by rewriting the file), on 127.0.0.1
// at the port given (0: any). Prints "listening PORT" once up and "fetch" for every JWKS served.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const [file, port = '0'] = process.argv.slice(2);
const server = createServer((req, res) => {
  if (req.url !== '/jwks.json') return void res.writeHead(404).end();
  readFile(file, 'utf8').then(
    (body) => {
      process.stdout.write('fetch\n');
      res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'no-store' }).end(body);
    },
    (error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
  );
});
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
