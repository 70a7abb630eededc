// A real DNS server on 127.0.0.1 (UDP, the dns2 package) whose A and SRV records a test changes while the
// gateway resolves against it; unknown names answer NXDOMAIN, and `failing` makes every answer SERVFAIL.
import dns2 from 'dns2';

const { Packet } = dns2;
/** dns2 has the response codes at run time, but its type definitions leave them out. */
const RCODE = (Packet as unknown as { RCODE: { SERVFAIL: number; NXDOMAIN: number } }).RCODE;

export interface SrvTarget {
  target: string;
  port: number;
}

export interface TestDnsServer {
  /** ip:port, for the gateway's dns.servers. */
  readonly address: string;
  readonly a: Map<string, string[]>;
  readonly srv: Map<string, SrvTarget[]>;
  failing: boolean;
  close(): Promise<void>;
}

export async function startDnsServer(): Promise<TestDnsServer> {
  const state = { a: new Map<string, string[]>(), srv: new Map<string, SrvTarget[]>(), failing: false };
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name ?? '';
      if (state.failing) {
        response.header.rcode = RCODE.SERVFAIL;
      } else if (!state.a.has(name) && !state.srv.has(name)) {
        response.header.rcode = RCODE.NXDOMAIN;
      } else if (question?.type === Packet.TYPE.A) {
        for (const address of state.a.get(name) ?? []) response.answers.push({ name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 1, address } as never);
      } else if (question?.type === Packet.TYPE.SRV) {
        for (const { target, port } of state.srv.get(name) ?? []) {
          response.answers.push({ name, type: Packet.TYPE.SRV, class: Packet.CLASS.IN, ttl: 1, priority: 0, weight: 1, port, target } as never);
        }
      }
      // AAAA and other types: an empty answer (NODATA).
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const { port } = addresses.udp as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    a: state.a,
    srv: state.srv,
    get failing() {
      return state.failing;
    },
    set failing(value: boolean) {
      state.failing = value;
    },
    close: async () => {
      await server.close();
    },
  };
}
