// The catch-all route for engines that forward through Fastify's reply (reply-from): every method and path.
// Fastify's body parsing is switched off here: request bodies reach the engine as the raw stream.
import { METHODS } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteProxyEngine } from './engine.js';
import { proxyHandler, type ProxyObservers, type RouteResolver } from './proxy-handler.js';

export interface ProxyPluginOptions extends ProxyObservers {
  engine: RouteProxyEngine;
  resolve: RouteResolver;
}

export async function proxyPlugin(app: FastifyInstance, options: ProxyPluginOptions): Promise<void> {
  const { engine } = options;
  // Fastify knows the common methods only; a proxy forwards whatever Node's parser accepts.
  // CONNECT never reaches a route: Node hands it to the 'connect' event, which the gateway does not serve.
  for (const method of METHODS) {
    if (method !== 'CONNECT' && !app.supportedMethods.includes(method)) app.addHttpMethod(method, { hasBody: true });
  }
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  await engine.register(app);
  const handler = proxyHandler((request: FastifyRequest, reply: FastifyReply, context) => engine.forward(request, reply, context), FASTIFY_MESSAGES, options.resolve, options);
  app.route({ method: app.supportedMethods, url: '/*', handler });
}

const FASTIFY_MESSAGES = {
  request: (request: FastifyRequest) => request.raw,
  // The gateway answers (404 no_route) on Node's response itself, so Fastify must not send a reply too.
  response: (reply: FastifyReply) => reply.hijack().raw,
};
