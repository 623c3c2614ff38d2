import type { HeaderCondition, PixelRegionRule } from './pixel-region-rule.ts';

const OPS = new Set(['contains', 'notcontains', 'equals', 'notequals', 'missing', 'present', 'empty']);

function parseCondition(text: string): HeaderCondition | undefined {
  const m = /^\s*(\w+)\s+(\w+)(?:\s+(.*?))?\s*$/.exec(text);
  if (m === null) return undefined;
  const [, op = '', field = '', value] = m;
  if (!OPS.has(op)) return undefined;
  return { op: op as HeaderCondition['op'], field, ...(value === undefined || value === '' ? {} : { value }) };
}

/**
 * Parses the `%filter` sections of a pydicom deid recipe (`deid.dicom`, FORMAT dicom): each
 * `LABEL` with `coordinates x0,y0,x1,y1` lines becomes a {@link PixelRegionRule}. Conditions:
 * a line starting with `+` is AND with the previous, `||` (line start or inline) starts an
 * alternative. LABELs without coordinates (flag-only, whitelist) are skipped. `ctpcoordinates` (x,y,w,h) are converted.
 */
export function parseDeidRecipe(recipe: string): PixelRegionRule[] {
  const rules: PixelRegionRule[] = [];
  let label: string | undefined;
  let groups: HeaderCondition[][] = [];
  let regions: [number, number, number, number][] = [];
  const flush = (): void => {
    if (label !== undefined && regions.length > 0 && groups.length > 0) rules.push({ label, when: groups, regions });
    label = undefined;
    groups = [];
    regions = [];
  };
  for (const rawLine of recipe.split(/\r?\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (line.startsWith('%')) {
      flush();
      continue;
    }
    if (line.startsWith('LABEL ')) {
      flush();
      label = line.slice(6).trim();
      continue;
    }
    if (label === undefined) continue;
    const coords = /^(ctp)?coordinates\s+(.*)$/.exec(line);
    if (coords !== null) {
      const nums = (coords[2] ?? '').split(',').map((n) => Number.parseInt(n.trim(), 10));
      const [x0, y0, a, b] = nums;
      if (nums.length !== 4 || x0 === undefined || y0 === undefined || a === undefined || b === undefined || !nums.every(Number.isFinite))
        continue;
      // `coordinates` are xmin,ymin,xmax,ymax; `ctpcoordinates` (from RSNA CTP) are x,y,width,height.
      regions.push(coords[1] === 'ctp' ? [x0, y0, x0 + a, y0 + b] : [x0, y0, a, b]);
      continue;
    }
    let rest = line;
    let and = false;
    if (rest.startsWith('+')) {
      and = true;
      rest = rest.slice(1);
    } else if (rest.startsWith('||')) {
      rest = rest.slice(2);
    }
    const alternatives = rest.split('||').map(parseCondition);
    alternatives.forEach((c, i) => {
      if (c === undefined) return;
      const last = groups.at(-1);
      if (i === 0 && and && last !== undefined) last.push(c);
      else groups.push([c]);
    });
  }
  flush();
  return rules;
}

/** Whether a rule's conditions hold for the given header values (keyword → text, undefined when absent). */
export function ruleMatches(rule: PixelRegionRule, header: (keyword: string) => string | undefined): boolean {
  return rule.when.some((group) =>
    group.every((c) => {
      const v = header(c.field);
      const wanted = (c.value ?? '').toLowerCase().split('|');
      const lower = v?.toLowerCase();
      switch (c.op) {
        case 'missing':
          return v === undefined;
        case 'present':
          return v !== undefined;
        case 'empty':
          return v !== undefined && v.trim() === '';
        case 'contains':
          return lower !== undefined && wanted.some((w) => lower.includes(w));
        case 'notcontains':
          return lower === undefined || !wanted.some((w) => lower.includes(w));
        case 'equals':
          return lower !== undefined && wanted.includes(lower);
        case 'notequals':
          return lower === undefined || !wanted.includes(lower);
      }
    }),
  );
}
