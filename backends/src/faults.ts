// Fault switches for chaos runs, all off by default: GET /faults shows them, PUT /faults sets them.
// They apply to every route but /faults itself and (unless healthToo) /health, so a backend can fail its
// traffic while still passing probes: the case only passive health and retries can catch.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

const faultsSchema = z
  .object({
    /** Added to every response, in ms. */
    delayMs: z.number().int().min(0).max(600_000).default(0),
    /** Share of requests answered with errorStatus, 0-1. */
    errorRate: z.number().min(0).max(1).default(0),
    errorStatus: z.number().int().min(400).max(599).default(500),
    /** Accept requests and never answer them. */
    hang: z.boolean().default(false),
    /**
     * Share of requests accepted and never answered, 0-1; the rest are served. With /health spared this is
     * the "partial hang": probes pass, so only per-try timeouts and hedging keep clients from waiting.
     */
    hangRate: z.number().min(0).max(1).default(0),
    /** Close the connection without a response. */
    reset: z.boolean().default(false),
    /** Exit the process at once (exit code 1), as a crash would. */
    crash: z.boolean().default(false),
    /** Apply the faults to /health as well. */
    healthToo: z.boolean().default(false),
  })
  .strict();

export type Faults = z.infer<typeof faultsSchema>;
export const NO_FAULTS: Faults = Object.freeze(faultsSchema.parse({}));

/** Installs the switches on the app itself (not an encapsulated plugin), so the hook sees every route. */
export function installFaults(app: FastifyInstance, options: { onCrash: () => void }): void {
  let faults: Faults = NO_FAULTS;
  let active = false;

  app.get('/faults', async () => faults);
  app.put('/faults', async (request, reply) => {
    const parsed = faultsSchema.safeParse(typeof request.body === 'string' ? safeJson(request.body) : request.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      reply.code(400);
      return { error: 'bad_faults', message: `${issue.path.join('.') || 'body'}: ${issue.message}` };
    }
    faults = parsed.data;
    active = Object.entries(faults).some(([key, value]) => key !== 'errorStatus' && key !== 'healthToo' && value !== 0 && value !== false);
    if (faults.crash) setImmediate(options.onCrash);
    return faults;
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!active || request.url.startsWith('/faults') || (request.url.startsWith('/health') && !faults.healthToo)) return;
    if (faults.reset) {
      request.raw.socket.destroy();
      return reply.hijack();
    }
    if (faults.hang || (faults.hangRate > 0 && Math.random() < faults.hangRate)) return reply.hijack();
    if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      return reply.code(faults.errorStatus).send({ error: 'fault_injected', status: faults.errorStatus });
    }
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
