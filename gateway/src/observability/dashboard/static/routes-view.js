// The dashboard's routes table: what each route matches and where it sends, a split as one bar per pool with
// its share of the weight. A row is rebuilt only when its route or its pools' availability changed, so the
// table stays still between polls and a switched split shows on the next one.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** One line per criterion, in the words of the config keys; an empty match takes every request. */
function matchLines(match) {
  const lines = [];
  if (match.hosts) lines.push(['host', match.hosts.join(', ')]);
  if (match.pathPrefix !== undefined) lines.push(['prefix', match.pathPrefix]);
  if (match.path !== undefined) lines.push(['path', match.path]);
  if (match.methods) lines.push(['method', match.methods.join(', ')]);
  for (const [name, value] of Object.entries(match.headers ?? {})) {
    lines.push(['header', typeof value === 'string' ? `${name}: ${value}` : `${name} ~ /${value.regex}/`]);
  }
  return lines;
}

const share = (weight, total) => {
  const percent = total > 0 ? (weight / total) * 100 : 0;
  return Number.isInteger(percent) ? percent : Number(percent.toFixed(1));
};

/** The pool's name, marked when none of its backends can take traffic: the route then answers 503. */
function poolName(name, pools) {
  const pool = pools.get(name);
  const node = el('span', 'pool', name);
  if (pool && pool.available === 0) {
    node.append(' ', el('span', 'no-backend', 'no backend'));
    node.title = `pool ${name} has no available backend (${pool.backends} in it)`;
  }
  return node;
}

function target(route, pools) {
  if (!route.split) return poolName(route.pool, pools);
  const total = route.split.reduce((sum, side) => sum + side.weight, 0);
  const split = el('div', 'split');
  for (const side of route.split) {
    const percent = share(side.weight, total);
    const bar = el('span', 'bar');
    const fill = el('span', 'fill');
    fill.style.width = `${percent}%`; // CSSOM, which the page's style-src 'self' policy allows
    bar.append(fill);
    const line = el('div', side.weight === 0 ? 'side idle' : 'side');
    line.dataset.pool = side.pool;
    line.title = `weight ${side.weight} of ${total}`;
    line.append(poolName(side.pool, pools), bar, el('span', 'percent', `${percent} %`));
    split.append(line);
  }
  return split;
}

function options(route) {
  const words = [];
  if (route.sticky) words.push('cookie' in route.sticky ? `sticky by cookie ${route.sticky.cookie}` : `sticky by header ${route.sticky.header}`);
  if (route.stripPrefix) words.push(`strips ${route.match.pathPrefix}`);
  return words.length > 0 ? words.join(', ') : '—';
}

function fill(row, route, pools) {
  const matches = el('td', 'match');
  const lines = matchLines(route.match);
  if (lines.length === 0) matches.append(el('span', 'muted', 'any request'));
  for (const [key, value] of lines) {
    const line = el('div');
    line.append(el('span', 'key', key), ' ', value);
    matches.append(line);
  }
  const sends = el('td', 'target');
  sends.append(target(route, pools));
  const name = el('td');
  name.append(el('strong', '', route.name));
  row.replaceChildren(name, matches, sends, el('td', 'options muted', options(route)));
}

/** Brings the table's body in line with the snapshot's routes, in table order. */
export function renderRoutes(tbody, routes, poolList) {
  const pools = new Map(poolList.map((pool) => [pool.name, pool]));
  const rows = routes.map((route) => {
    const reach = (route.split ?? [route]).map((side) => pools.get(side.pool)?.available === 0);
    const signature = JSON.stringify([route, reach]);
    let row = [...tbody.rows].find((candidate) => candidate.dataset.route === route.name);
    if (!row) {
      row = el('tr');
      row.dataset.route = route.name;
    }
    if (row.dataset.signature !== signature) {
      fill(row, route, pools);
      row.dataset.signature = signature;
    }
    return row;
  });
  // Only touch the order when it changed (a reload): moving rows every poll would reset text selections.
  if (rows.some((row, i) => tbody.rows[i] !== row) || tbody.rows.length !== rows.length) tbody.replaceChildren(...rows);
}
