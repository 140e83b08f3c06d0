// Chevrotain 12/13 (under Langium 4.4) calls Object.groupBy, which Node 20 lacks (Node >= 21 has
// it). This file is loaded before anything else: by the generator through `node --import`, by
// vitest's setup file, and as the first import of the CLI and server entries.
if (typeof Object.groupBy !== 'function') {
  Object.defineProperty(Object, 'groupBy', {
    configurable: true,
    writable: true,
    value(items, keyOf) {
      const groups = Object.create(null);
      let index = 0;
      for (const item of items) {
        const key = keyOf(item, index++);
        (groups[key] ??= []).push(item);
      }
      return groups;
    },
  });
}
