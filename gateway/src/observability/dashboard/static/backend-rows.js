// The backends table's rows, kept across polls: one tbody per pool opened by a heading row with the pool's
// available / total, and one row per backend whose cells are rewritten only when their text changes.

export function cell(row, name, text, className) {
  const td = row.querySelector(`[data-col="${name}"]`);
  if (td.textContent !== text) td.textContent = text;
  if (className !== undefined) td.className = className;
}

/** The pool's tbody with its heading row, made on first sight. */
function poolBody(table, name) {
  let tbody = table.querySelector(`tbody[data-pool="${CSS.escape(name)}"]`);
  if (tbody) return tbody;
  tbody = table.createTBody();
  tbody.dataset.pool = name;
  const heading = tbody.insertRow();
  heading.className = 'pool-heading';
  heading.innerHTML = '<th colspan="10"><span class="pool-name"></span> <span class="pool-count"></span></th>';
  heading.querySelector('.pool-name').textContent = name;
  return tbody;
}

/** A heading per pool with its count; a pool gone after a reload loses its tbody. */
export function showPools(table, pools) {
  for (const pool of pools) {
    const count = poolBody(table, pool.name).querySelector('.pool-count');
    count.textContent = pool.backends === 0 ? 'no backends' : `${pool.available} / ${pool.backends} available`;
    count.classList.toggle('bad', pool.backends > 0 && pool.available === 0);
  }
  const names = new Set(pools.map((pool) => pool.name));
  for (const tbody of [...table.tBodies]) if (!names.has(tbody.dataset.pool)) tbody.remove();
}

/** The backend's row in its pool's tbody; a backend that moved pools (re-registered) moves with it. */
export function rowFor(table, pool, id, act) {
  const tbody = poolBody(table, pool);
  let row = table.querySelector(`tr[data-backend="${CSS.escape(id)}"]`);
  if (row) {
    if (row.parentElement !== tbody) tbody.append(row);
    return row;
  }
  row = document.createElement('tr');
  row.dataset.backend = id;
  row.innerHTML = `<td><strong data-col="id"></strong><div class="url" data-col="url"></div></td>
    <td><span class="state" data-col="state"></span></td><td class="why"><span data-col="why"></span><div class="since" data-col="since"></div></td>
    <td class="num" data-col="weight"></td><td class="num" data-col="inflight"></td><td class="num" data-col="rps"></td>
    <td class="num" data-col="errors"></td><td class="num" data-col="p99"></td>
    <td class="num"><div data-col="probe"></div><div class="muted small" data-col="heartbeat"></div></td>
    <td class="actions"><button type="button" class="drain">Drain</button><button type="button" class="enable">Enable</button></td>`;
  row.querySelector('button.drain').addEventListener('click', () => act(id, 'drain'));
  row.querySelector('button.enable').addEventListener('click', () => act(id, 'enable'));
  tbody.append(row);
  return row;
}

/** Drops the rows of backends the snapshot no longer lists. */
export function pruneRows(table, seen) {
  for (const row of table.querySelectorAll('tr[data-backend]')) if (!seen.has(row.dataset.backend)) row.remove();
}
