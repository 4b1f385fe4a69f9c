// The web view's only script: badges updated in place from Server-Sent Events, the page's main
// section fetched again when its structure changes (a new resource, a new history entry), and a
// confirmation before a rollback. Values from the server are only ever set with textContent, and
// classes only from the fixed lists below, so nothing the server relays can become markup.

(() => {
  const SYNC = ['Synced', 'OutOfSync', 'Unknown'];
  const HEALTH = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];
  const SCOPES = '[data-app], [data-resource], [data-child]';

  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });

  const source = document.body.dataset.events;
  if (!source || typeof EventSource === 'undefined') return;
  const live = document.getElementById('live-status');
  const setLive = (state, text) => {
    if (!live) return;
    live.dataset.state = state;
    live.textContent = text;
  };

  // The fields of `scope` itself, not those of a resource nested in it.
  const own = (scope, name) =>
    [...scope.querySelectorAll(`[data-field="${name}"]`)].filter(
      (el) => el.parentElement.closest(SCOPES) === scope,
    );

  const setBadge = (el, family, value, known) => {
    if (value === '') {
      el.className = `badge ${family}-none`;
      el.textContent = '';
      return;
    }
    const v = known.includes(value) ? value : 'Unknown';
    el.className = `badge ${family}-${v}`;
    el.textContent = v;
  };

  let refreshTimer;
  let refreshing = false;
  let refreshAgain = false;
  const refresh = () => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(async () => {
      if (refreshing) {
        refreshAgain = true;
        return;
      }
      refreshing = true;
      try {
        const response = await fetch(window.location.href, {
          headers: { accept: 'text/html' },
          cache: 'no-store',
        });
        const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
        const next = doc.querySelector('main');
        const current = document.querySelector('main');
        if (next && current) current.replaceWith(document.importNode(next, true));
        document.body.dataset.refreshed = String(Number(document.body.dataset.refreshed || '0') + 1);
      } catch {
        // The next event tries again.
      } finally {
        refreshing = false;
        if (refreshAgain) {
          refreshAgain = false;
          refresh();
        }
      }
    }, 100);
  };

  const apply = (update) => {
    const scopes = [...document.querySelectorAll('[data-app]')].filter((el) => el.dataset.app === update.key);
    if (scopes.length === 0) {
      // A new Application on the list page.
      if (document.getElementById('app-list')) refresh();
      return;
    }
    let structural = false;
    for (const scope of scopes) {
      for (const el of own(scope, 'sync')) {
        // The list page's summary counts Applications by sync status.
        if (scope.dataset.historyIds === undefined && el.textContent !== update.sync) structural = true;
        setBadge(el, 'sync', update.sync, SYNC);
      }
      for (const el of own(scope, 'health')) {
        setBadge(el, 'health', update.health, HEALTH);
        el.title = update.healthMessage;
      }
      for (const el of own(scope, 'revision')) el.textContent = update.revision;
      for (const el of own(scope, 'health-message')) el.textContent = update.healthMessage;
      for (const el of own(scope, 'operation')) el.textContent = update.operation;
      for (const el of own(scope, 'waiting-for')) el.textContent = update.waitingFor;
      for (const el of own(scope, 'conditions')) {
        el.replaceChildren(
          ...update.conditions.map((text) => {
            const li = document.createElement('li');
            li.textContent = text;
            return li;
          }),
        );
      }
      for (const button of scope.querySelectorAll('button[data-rollback], button[data-action]'))
        button.disabled = update.pending;
      if (scope.dataset.historyIds === undefined) continue;
      // The application page: its resources and history.
      if (scope.dataset.historyIds !== update.historyIds.join(',')) structural = true;
      const nodes = new Map(
        [...scope.querySelectorAll('[data-resource]')].map((n) => [n.dataset.resource, n]),
      );
      if (nodes.size !== update.resources.length) structural = true;
      for (const r of update.resources) {
        const node = nodes.get(r.key);
        if (!node) {
          structural = true;
          continue;
        }
        for (const el of own(node, 'sync')) {
          // A resource going in or out of sync gains or loses its diff link: fetch the page again.
          if (el.textContent !== r.sync) structural = true;
          setBadge(el, 'sync', r.sync, SYNC);
        }
        for (const el of own(node, 'health')) {
          // Its children (ReplicaSets, Pods) are likely to have changed too: fetch the tree again.
          if (el.textContent !== r.health) structural = true;
          setBadge(el, 'health', r.health, HEALTH);
          el.title = r.message;
        }
        for (const el of own(node, 'message')) el.textContent = r.message;
      }
    }
    if (structural) refresh();
  };

  const events = new EventSource(source);
  events.addEventListener('open', () => setLive('on', 'live'));
  events.addEventListener('error', () => setLive('off', 'reconnecting…'));
  events.addEventListener('app', (event) => {
    try {
      apply(JSON.parse(event.data));
    } catch {
      // A malformed event is dropped; the next one carries the whole state again.
    }
  });
  events.addEventListener('deleted', () => refresh());
  window.addEventListener('pagehide', () => events.close());
})();
