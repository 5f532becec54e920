// Tandem console: a client of the router's operator API. Every change is the API's own request with the
// signed-in token, so roles, reasons, confirmations, gates and the audit log are the API's. Text from the
// server is only ever set as textContent (never parsed as HTML).
'use strict';

const TOKEN_KEY = 'tandem.console.token';
const REFRESH_MS = 5000;
let overview = null;
let refreshTimer = null;

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'onclick') node.addEventListener('click', value);
    else if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function cell(value, attributes) {
  return el('td', attributes, value);
}

function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colspan: columns, class: 'hint' }, empty))]));
}

function age(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (!isFinite(seconds)) return '-';
  return seconds < 120 ? `${seconds} s ago` : seconds < 7200 ? `${Math.round(seconds / 60)} min ago`
    : `${Math.round(seconds / 3600)} h ago`;
}

function duration(seconds) {
  if (seconds < 0) return 'unknown';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function number(value) {
  return Number(value).toLocaleString('en-US');
}

// ---- the API ----

async function api(method, path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    return { ok: false, status: 0, problem: { title: 'Router unreachable', detail: String(e.message || e) } };
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  if (response.status === 401) signOut('Your token was not accepted; sign in again.');
  return response.ok ? { ok: true, status: response.status, body: json }
    : { ok: false, status: response.status, problem: json || { title: `HTTP ${response.status}`, detail: '' } };
}

function problemText(problem) {
  return `${problem.title || 'Refused'}: ${problem.detail || ''}`;
}

function problemType(problem) {
  const type = (problem && problem.type) || '';
  return type.substring(type.lastIndexOf('/') + 1);
}

// ---- sign in / out ----

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(refreshTimer);
  overview = null;
  $('console').hidden = true;
  $('logout').hidden = true;
  $('who').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
  $('token').value = '';
  const answer = await api('GET', '/v1/console/overview');
  if (!answer.ok) {
    if (answer.status !== 401) signOut(problemText(answer.problem));
    return;
  }
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  render(answer.body);
  loadAudit();
  schedule();
  $('pipeline-title').focus();
}

function schedule() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refresh, REFRESH_MS);
}

async function refresh() {
  if (!$('action-dialog').open) {
    const answer = await api('GET', '/v1/console/overview');
    if (answer.ok) {
      render(answer.body);
      loadAudit();
    } else if (answer.status !== 401) {
      $('updated').textContent = `Not updated: ${problemText(answer.problem)}`;
    }
  }
  if (sessionStorage.getItem(TOKEN_KEY)) schedule();
}

// ---- rendering ----

function canOperate() {
  return overview && (overview.caller.role === 'operator' || overview.caller.role === 'admin');
}

function render(data) {
  overview = data;
  const role = data.caller.role;
  $('who').hidden = false;
  $('who').textContent = `Signed in as ${data.caller.actor} (${role})` + (canOperate() ? '' : ': read only');
  $('updated').textContent = `Routing version ${data.routingVersion}; updated ${new Date(data.at).toLocaleTimeString()}`
    + ' (every 5 s).';
  const problems = [data.statusProblem, data.watchProblem].filter(Boolean);
  if (data.pendingSwitch) {
    problems.push(`Write switch ${data.pendingSwitch.id} in progress for ${data.pendingSwitch.entities}:`
      + ' writes of the moving keys are fenced.');
  }
  $('problems').replaceChildren(...problems.map((text) => el('p', { class: 'warn' }, text)));

  fill($('stages').tBodies[0], data.stages.map((s) => el('tr', { 'data-stage': s.stage },
    el('th', { scope: 'row' }, s.stage),
    cell(s.instances + (s.staleInstances ? ` (+${s.staleInstances} stale)` : ''), { class: 'num' }),
    cell(s.instances ? s.perSecond.toFixed(1) : '-', { class: 'num', 'data-field': 'perSecond' }),
    cell(number(s.records), { class: 'num', 'data-field': 'records' }),
    cell(s.backlog < 0 ? '-' : number(s.backlog), { class: 'num', 'data-field': 'backlog' }),
    cell(age(s.reportedAt), { class: s.ageSeconds > 120 ? 'bad' : '' }))),
  'No stage has reported yet (stages publish progress to the status topic every 5 s).', 6);

  fill($('snapshot').tBodies[0], data.snapshot.map((t) => {
    const fraction = t.finished ? 1 : t.estimated > 0 ? Math.min(1, t.done / t.estimated) : null;
    const label = t.finished ? 'finished' : fraction === null ? 'estimate unknown' : `${Math.round(fraction * 100)} %`;
    return el('tr', { 'data-table': t.table },
      el('th', { scope: 'row' }, t.table),
      cell(el('progress', { max: 1, value: fraction === null ? null : fraction, 'aria-label': `${t.table}: ${label}` }),
        {}),
      cell(`${number(t.done)} / ${t.estimated < 0 ? '?' : number(t.estimated)}`, { class: 'num', 'data-field': 'done' }),
      cell(t.finished ? 'done' : duration(t.etaSeconds)));
  }), 'No snapshot is running (or capture has not reported yet).', 4);

  const letters = Object.entries(data.deadLetters);
  fill($('dead-letters').tBodies[0], letters.map(([stage, count]) => el('tr', { 'data-stage': stage },
    el('th', { scope: 'row' }, stage), cell(number(count), { class: count > 0 ? 'num bad' : 'num ok',
      'data-field': 'deadLetters' }))), 'No dead-letter topic yet: nothing was dead-lettered.', 2);

  $('entities').replaceChildren(...data.entities.map(renderEntity));

  $('conflict-summary').textContent = data.conflicts.total === 0 ? 'No write conflicts recorded.'
    : `${number(data.conflicts.total)} conflicts: ` + Object.entries(data.conflicts.byEntity)
      .map(([entity, count]) => `${entity} ${number(count)}`).join(', ');
  fill($('conflicts').tBodies[0], data.conflicts.latest.map((c) => el('tr', {},
    cell(c.entity), cell(c.key), cell(c.writtenOn), cell(c.owner), cell(c.cohort), cell(c.routingVersion, { class: 'num' }),
    cell(c.detectedAt ? age(c.detectedAt) : '-'))), 'None.', 7);
}

function lagText(lag) {
  if (!lag) return '-';
  return `${number(lag.millis)} ms` + (lag.stale ? ' (stale)' : '');
}

function renderEntity(entity) {
  const id = `entity-${entity.entity}`;
  const section = el('section', { class: 'entity', 'aria-labelledby': id, 'data-entity': entity.entity },
    el('h3', { id }, entity.entity));
  const capture = entity.lag.capture;
  section.append(el('p', {},
    'Replication lag (legacy commit → visible in new): ', el('strong', { 'data-field': 'lag' }, lagText(entity.lag.sink)),
    '. Capture: ', capture ? (capture.millis === 0 ? 'alive' : `silent ${Math.round(capture.millis / 1000)} s`)
      + (capture.stale ? ' (stale)' : '') : '-',
    entity.lag['reverse-sink'] ? `. Reverse sync lag: ${lagText(entity.lag['reverse-sink'])}` : '',
    entity.mapping ? `. Mapping ${entity.mapping.substring(0, 8)}.` : '.'));

  const passes = el('table', { class: 'verifications' },
    el('caption', {}, `Latest verification of ${entity.entity}, entity-wide (*) and per cohort`),
    el('thead', {}, el('tr', {}, ['Cohort', 'Result', 'Rows checked', 'Finished', 'Differences (first 20)']
      .map((h) => el('th', { scope: 'col', class: h === 'Rows checked' ? 'num' : null }, h)))),
    el('tbody'));
  fill(passes.tBodies[0], entity.verifications.map((v) => el('tr', { 'data-cohort': v.cohort },
    el('th', { scope: 'row' }, v.cohort === '*' ? '* (entity-wide)' : v.cohort),
    cell(v.clean ? 'clean' : `${number(v.differences)} difference${v.differences === 1 ? '' : 's'}`, {
      class: v.clean ? 'ok' : 'bad',
      'data-field': 'result' }),
    cell(number(v.rowsChecked), { class: 'num' }), cell(age(v.finishedAt)),
    cell(v.samples.length ? el('ul', { class: 'samples' }, v.samples.map((s) => el('li', {},
      `${s.key}: ${s.kind}` + (s.fields && s.fields.length ? ` (${s.fields.join(', ')})` : '')
      + (s.deadLettered ? ', dead-lettered' : '')))) : '-'))),
  'Never verified (run the verifier: tandem run --components verify).', 5);
  section.append(passes);

  const cohorts = el('table', { class: 'cohorts' },
    el('caption', {}, `Cohorts of ${entity.entity}, in decision order (keys in none stay on legacy)`),
    el('thead', {}, el('tr', {}, ['Cohort', 'Phase', 'Holds', 'Promotion gate', 'Actions']
      .map((h) => el('th', { scope: 'col' }, h)))),
    el('tbody'));
  fill(cohorts.tBodies[0], entity.cohorts.map((c) => el('tr', { 'data-cohort': c.name },
    el('th', { scope: 'row' }, c.name),
    cell(`${c.phase} (reads ${c.read}, writes ${c.write})`, { 'data-field': 'phase' }),
    cell(selectorText(c.selector), { 'data-field': 'holds' }),
    cell(gateText(c.gate), { class: c.gate.gated ? (c.gate.passes ? 'ok' : 'bad') : '' }),
    cell(canOperate() ? cohortActions(entity.entity, c) : '-'))), 'No cohort: every key is on legacy.', 5);
  section.append(cohorts);
  if (canOperate()) {
    section.append(el('button', { type: 'button', onclick: () => openCreate(entity.entity),
      'data-action': 'create' }, `New cohort of ${entity.entity}`));
  }
  return section;
}

function selectorText(selector) {
  if (selector.kind === 'percent') return `${selector.percent} % of keys`;
  if (selector.kind === 'keys') {
    const keys = selector.keys || [];
    return `${keys.length} keys` + (keys.length ? `: ${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ', …' : ''}` : '');
  }
  if (selector.kind === 'rule') return `rule: ${selector.expression}`;
  return selector.kind;
}

function gateText(gate) {
  if (!gate.next) return 'last phase';
  if (gate.refused) return `cannot promote: ${gate.refused}`;
  if (!gate.gated) return `to ${gate.next}: not gated`;
  return gate.passes ? `to ${gate.next}: passes` : `to ${gate.next}: refused: ${(gate.failed || []).join('; ')}`;
}

function cohortActions(entity, cohort) {
  const label = `${entity} / ${cohort.name}`;
  const buttons = [];
  if (cohort.gate.next) {
    buttons.push(el('button', { type: 'button', 'data-action': 'promote',
      'aria-label': `Promote ${label} to ${cohort.gate.next}`, onclick: () => openStep(entity, cohort, true) }, 'Promote'));
  }
  if (cohort.phase !== 'LEGACY') {
    buttons.push(el('button', { type: 'button', class: 'danger', 'data-action': 'demote',
      'aria-label': `Demote ${label}`, onclick: () => openStep(entity, cohort, false) }, 'Demote'));
  }
  if (cohort.selector.kind === 'percent') {
    buttons.push(el('button', { type: 'button', 'data-action': 'percent', 'aria-label': `Set percentage of ${label}`,
      onclick: () => openPercent(entity, cohort) }, 'Set %'));
  }
  return buttons;
}

// ---- the audit log ----

// Changes an operator may undo from here (entity declarations come from the routers' configuration).
const COHORT_CHANGES = new Set(['create_cohort', 'update_selector', 'set_phase', 'delete_cohort', 'begin_switch',
  'rollback_to']);

async function loadAudit() {
  const answer = await api('GET', '/v1/audit?limit=50');
  if (!answer.ok) return;
  const newestFirst = answer.body.entries.slice().reverse();
  fill($('audit').tBodies[0], newestFirst.map((e) => el('tr', { 'data-version': e.version },
    cell(e.applied ? e.version : '-', { class: 'num' }), cell(e.time ? new Date(e.time).toLocaleString() : '-'),
    cell(e.actor || '-'), cell(commandText(e.command)), cell(e.reason || '-'),
    cell(e.applied ? (e.gate && e.gate.forced ? 'applied, FORCED past the gate' : 'applied')
      : `rejected: ${e.rejection || ''}`, { class: e.applied ? '' : 'warn' }),
    cell(canOperate() && e.applied && e.version > 0 && COHORT_CHANGES.has(e.command && e.command.type) ? el('button', { type: 'button', class: 'danger',
      'data-action': 'rollback', 'aria-label': `Roll back to version ${e.version - 1}, before this change`,
      onclick: () => openRollback(e.version - 1) }, 'Roll back to before') : ''))), 'No changes yet.', 7);
}

function commandText(command) {
  if (!command) return '-';
  const where = command.entity ? `${command.entity}${command.cohort ? ' / ' + command.cohort : ''}` : '';
  switch (command.type) {
    case 'create_cohort': return `create ${where} (${selectorText(command.selector)}, ${command.phase})`;
    case 'update_selector': return `set ${where} to ${selectorText(command.selector)}`;
    case 'set_phase': return `${where} → ${command.phase}`;
    case 'delete_cohort': return `delete ${where}`;
    case 'rollback_to': return `roll back to version ${command.version}`;
    case 'begin_switch': return `write switch ${command.switchId}: ${commandText(command.change)}`;
    default: return `${command.type} ${where}`;
  }
}

// ---- actions: one dialog, the API's request ----

let pending = null;

function openDialog(action) {
  pending = action;
  $('action-title').textContent = action.title;
  $('action-what').textContent = action.what;
  $('action-fields').replaceChildren(...(action.fields || []));
  $('action-gate').replaceChildren(...(action.gate || []));
  $('action-reason').value = '';
  $('action-error').textContent = '';
  $('action-confirm').hidden = !action.confirm;
  $('action-confirm-box').checked = false;
  $('action-confirm-box').required = !!action.confirm;
  $('action-confirm-label').textContent = action.confirm || '';
  const overrides = action.overrides || [];
  const forceable = overrides.length > 0 && overview.caller.role === 'admin';
  $('action-force').hidden = !forceable;
  $('action-force-box').checked = false;
  $('action-force-label').textContent = forceable
    ? `Force past the promotion gate (admin), overriding: ${overrides.join('; ')}` : '';
  $('action-dialog').showModal();
  // Focus the first thing to fill in: the dialog's first field, else the reason.
  const first = (action.fields || []).map((f) => f.querySelector('input')).find(Boolean);
  (first || $('action-reason')).focus();
}

function field(id, label, input) {
  return el('div', {}, el('label', { for: id }, label), input);
}

function gateNotes(gate) {
  if (!gate || !gate.gated || gate.passes) return [];
  const notes = [el('p', { class: 'bad' }, `The promotion gate refuses this now: ${(gate.failed || []).join('; ')}.`)];
  notes.push(el('p', { class: 'hint' }, overview.caller.role === 'admin'
    ? 'As an admin you may force it; the override and your reason are recorded in the audit log.'
    : 'Only an admin may force a promotion past its gate.'));
  return notes;
}

function openStep(entity, cohort, forward) {
  const to = forward ? cohort.gate.next : previousPhase(cohort.phase);
  openDialog({
    title: `${forward ? 'Promote' : 'Demote'} ${entity} / ${cohort.name}: ${cohort.phase} → ${to}`,
    what: forward ? `The cohort's customers (${selectorText(cohort.selector)}) move to ${to}.`
      : `Undo: the cohort's customers (${selectorText(cohort.selector)}) move back to ${to}. Recorded as a rollback.`,
    confirm: forward ? null : `I confirm: this moves these customers back to ${to}.`,
    gate: forward ? gateNotes(cohort.gate) : [],
    overrides: forward && cohort.gate.gated && !cohort.gate.passes ? cohort.gate.failed || [] : [],
    request: () => ['POST', `/v1/entities/${enc(entity)}/cohorts/${enc(cohort.name)}/${forward ? 'promote' : 'demote'}`, {}],
  });
}

function previousPhase(phase) {
  const order = ['LEGACY', 'SHADOW', 'NEW_READS', 'NEW'];
  return order[Math.max(0, order.indexOf(phase) - 1)];
}

function openPercent(entity, cohort) {
  const input = el('input', { id: 'action-percent', type: 'number', min: 0, max: 100, step: '0.01', required: true,
    value: cohort.selector.percent });
  openDialog({
    title: `Set the percentage of ${entity} / ${cohort.name}`,
    what: `Now ${cohort.selector.percent} % of keys (${cohort.phase}). Membership is sticky: growing adds keys,`
      + ' shrinking gives some back to the cohorts after it or to legacy.',
    fields: [field('action-percent', 'Percentage of keys (0 to 100)', input)],
    request: () => ['POST', `/v1/entities/${enc(entity)}/cohorts/${enc(cohort.name)}/percent`,
      { percent: Number(input.value) }],
  });
}

function openCreate(entity) {
  const name = el('input', { id: 'action-name', type: 'text', required: true, maxlength: 64,
    pattern: '[A-Za-z0-9._-]+', autocomplete: 'off' });
  const percent = el('input', { id: 'action-percent', type: 'number', min: 0, max: 100, step: '0.01', required: true,
    value: 1 });
  openDialog({
    title: `New cohort of ${entity}`,
    what: 'A cohort starts in LEGACY (nothing moves until it is promoted) and holds a sticky percentage of keys.',
    fields: [field('action-name', 'Name (letters, digits, . _ -)', name),
      field('action-percent', 'Percentage of keys (0 to 100)', percent)],
    request: () => ['POST', `/v1/entities/${enc(entity)}/cohorts`, { name: name.value.trim(),
      percent: Number(percent.value) }],
  });
}

function openRollback(version) {
  openDialog({
    title: `Roll back the routing to version ${version}`,
    what: `Every cohort returns to what version ${version} said: customers moved since then go back. Recorded as a`
      + ' rollback; nothing is deleted from the audit log.',
    confirm: `I confirm: restore routing version ${version}.`,
    request: () => ['POST', '/v1/rollback', { version }],
  });
}

function enc(text) {
  return encodeURIComponent(text);
}

async function submitAction(event) {
  event.preventDefault();
  if (!pending) return;
  const form = $('action-form');
  if (!form.reportValidity()) return;
  const [method, path, body] = pending.request();
  body.reason = $('action-reason').value.trim();
  body.expectedVersion = overview.routingVersion;
  // Demotions and rollbacks are rollbacks by definition (the API records them so); the other changes carry the
  // confirmation only once the API asked for it.
  if (pending.rollbackField && $('action-confirm-box').checked) body.rollback = true;
  if (!$('action-force').hidden && $('action-force-box').checked) body.force = true;
  $('action-submit').disabled = true;
  const answer = await api(method, path, body);
  $('action-submit').disabled = false;
  if (answer.ok) {
    $('action-dialog').close();
    const done = answer.status === 202
      ? `Accepted as write switch ${answer.body.switch ? answer.body.switch.id : ''}; the cohort moves once drained.`
      : `Done: routing version ${answer.body.version}.`;
    $('message').textContent = `${pending.title}: ${done}`;
    pending = null;
    await refresh();
    return;
  }
  const type = problemType(answer.problem);
  if (type === 'rollback-not-confirmed') {
    // The API asks for a rollback's confirmation: show it, the operator ticks it and confirms again.
    pending.rollbackField = true;
    $('action-confirm').hidden = false;
    $('action-confirm-box').required = true;
    $('action-confirm-label').textContent = 'I confirm: this moves customers back (a rollback).';
  }
  if (type === 'gate-refused' && overview.caller.role === 'admin') {
    $('action-force').hidden = false;
    $('action-force-label').textContent = 'Force past the promotion gate (admin), overriding: '
      + (answer.problem.failedConditions || []).join('; ');
  }
  if (type === 'version-conflict') {
    const fresh = await api('GET', '/v1/console/overview');
    if (fresh.ok) overview = fresh.body;
  }
  $('action-error').textContent = problemText(answer.problem)
    + (type === 'version-conflict' ? ' The page has the new version now: check and confirm again.' : '');
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', () => signOut('Signed out.'));
  $('action-form').addEventListener('submit', submitAction);
  $('action-cancel').addEventListener('click', () => {
    $('action-dialog').close();
    pending = null;
  });
  $('pipeline-title').tabIndex = -1;
  if (sessionStorage.getItem(TOKEN_KEY)) {
    $('token').value = sessionStorage.getItem(TOKEN_KEY);
    $('login-form').requestSubmit();
  } else {
    $('token').focus();
  }
});
