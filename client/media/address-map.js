// The address-map webview's script (loaded with the panel's nonce; no remote content). The
// drawing arrives as server-side-rendered SVG; this adds the hover card, keyboard focus and
// "reveal the declaration" on click (posted to the extension, which opens the source).
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const dataElement = document.getElementById('pciplat-data');
  let details = dataElement ? JSON.parse(dataElement.textContent || '{}') : {};
  const content = document.getElementById('content');
  const card = document.getElementById('hover-card');

  function detailOf(element) {
    const section = element.closest('[data-section]');
    const index = element.getAttribute('data-i');
    if (!section || index === null) return undefined;
    const list = details[section.getAttribute('data-section')] || [];
    return list[Number(index)];
  }

  function showCard(detail, x, y) {
    if (!card || !detail) return;
    card.textContent = '';
    const title = document.createElement('div');
    title.className = 'card-title';
    title.textContent = detail.title;
    card.appendChild(title);
    const table = document.createElement('table');
    for (const [key, value] of detail.rows) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = key;
      const td = document.createElement('td');
      td.textContent = value;
      tr.appendChild(th);
      tr.appendChild(td);
      table.appendChild(tr);
    }
    card.appendChild(table);
    if (detail.loc) {
      const hint = document.createElement('div');
      hint.className = 'card-hint';
      hint.textContent = 'Click to go to the declaration';
      card.appendChild(hint);
    }
    card.hidden = false;
    const pad = 14;
    const maxX = window.innerWidth - card.offsetWidth - 8;
    const maxY = window.innerHeight - card.offsetHeight - 8;
    card.style.left = Math.max(4, Math.min(x + pad, maxX)) + 'px';
    card.style.top = Math.max(4, Math.min(y + pad, maxY)) + 'px';
  }

  function hideCard() {
    if (card) card.hidden = true;
  }

  function target(event) {
    const t = event.target;
    return t && t.closest ? t.closest('[data-i]') : null;
  }

  document.addEventListener('mousemove', (event) => {
    const element = target(event);
    if (!element || element.tagName === 'A') return hideCard();
    showCard(detailOf(element), event.clientX, event.clientY);
  });
  document.addEventListener('mouseleave', hideCard);
  document.addEventListener('focusin', (event) => {
    const element = target(event);
    if (!element) return;
    const box = element.getBoundingClientRect();
    showCard(detailOf(element), box.right, box.top);
  });
  document.addEventListener('focusout', hideCard);

  function highlight(section, index) {
    for (const el of document.querySelectorAll('.selected')) el.classList.remove('selected');
    const region = section.querySelector('g.region[data-i="' + index + '"]');
    if (region) {
      region.classList.add('selected');
      region.scrollIntoView({ block: 'center', behavior: 'smooth' });
    }
  }

  function activate(element) {
    const section = element.closest('[data-section]');
    if (!section) return;
    const index = element.getAttribute('data-i');
    highlight(section, index);
    const detail = detailOf(element);
    if (detail && detail.loc) vscode.postMessage({ type: 'reveal', loc: detail.loc });
  }

  document.addEventListener('click', (event) => {
    const element = target(event);
    if (!element) return;
    event.preventDefault();
    activate(element);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    const element = target(event);
    if (!element) return;
    event.preventDefault();
    activate(element);
  });
  // The refresh button is re-created with each update: one delegated listener.
  document.addEventListener('click', (event) => {
    const t = event.target;
    if (t && t.id === 'refresh') vscode.postMessage({ type: 'refresh' });
  });
  // New content from the extension (a new simulation result): swap it in place, keep the scroll.
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || message.type !== 'update' || !content) return;
    const selected = document.querySelector('g.region.selected');
    const keep = selected ? [selected.closest('[data-section]')?.getAttribute('data-section'), selected.getAttribute('data-i')] : undefined;
    const x = window.scrollX;
    const y = window.scrollY;
    hideCard();
    details = message.details || {};
    content.innerHTML = message.body;
    window.scrollTo(x, y);
    if (keep && keep[0]) {
      const again = document.querySelector('[data-section="' + CSS.escape(keep[0]) + '"] g.region[data-i="' + keep[1] + '"]');
      if (again) again.classList.add('selected');
    }
  });
  vscode.postMessage({ type: 'ready' });
})();
