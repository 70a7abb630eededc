// The gateway's TLS listener for nginx: one server block per certificate on the TLS port (ssl, http2, so ALPN
// offers h2 and http/1.1), chosen by SNI through server_name, the first the default_server for clients without
// SNI or with a name no certificate covers; each serves the same routes as the cleartext server.
import { listenAddress } from './nginx-listen.js';
import { protocols, TLS12_CIPHERS, TLS13_SUITES, type RenderedCertificate, type RenderedTls } from './tls-listener.js';
import { nginxString } from './nginx-keys.js';
import { regexEscape } from './route-patterns.js';

/** TLS port of the nginx drop-in: the gateway's 8443, as nginx's 8090 is the gateway's 8080 plus ten. */
export const NGINX_DEFAULT_TLS_PORT = 8453;

/** http-level settings every TLS server shares. */
export function tlsSettings(tls: RenderedTls): string {
  return `    # TLS: tls.minVersion and the gateway's cipher list; sessions resumed from a cache shared by the workers.
    ssl_protocols ${protocols(tls).join(' ')};
    ssl_ciphers ${TLS12_CIPHERS};
    ssl_conf_command Ciphersuites ${TLS13_SUITES};
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:gateway_tls:10m;
    ssl_session_timeout 1h;`;
}

/** The TLS server blocks, each holding `body` (the cleartext server's contents). */
export function tlsServers(tls: RenderedTls, port: number, body: string): string[] {
  return tls.certificates.map((certificate, index) => `    server {
        listen ${listenAddress(tls.host, port)} ssl http2${index === 0 ? ' default_server' : ''};
        server_name ${serverNames(certificate)};
        ssl_certificate ${nginxString(certificate.cert)};
        ssl_certificate_key ${nginxString(certificate.key)};

${body}
    }`);
}

/** Exact names as they are; `*.example.com` as a regex for one label, since nginx's own wildcard takes several. */
function serverNames(certificate: RenderedCertificate): string {
  return certificate.names.map((name) => (name.startsWith('*.') ? nginxString(`~^[^.]+${regexEscape(name.slice(1))}$`) : name)).join(' ');
}
