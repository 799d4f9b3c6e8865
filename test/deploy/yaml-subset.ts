/**
 * @module test/deploy/yaml-subset
 * Reads the block-style YAML subset our deploy files use — nested mappings, sequences of
 * mappings, plain and quoted scalars, comments — and refuses anything else (tabs, flow
 * collections, anchors, block scalars) with the line number. There is no YAML parser in
 * node_modules; when one is added (`yaml`), use it here instead.
 */

type Node = string | Node[] | { [key: string]: Node };

interface Line {
  no: number;
  indent: number;
  text: string;
}

export function parseYamlSubset(source: string): Node {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, i) => {
    if (raw.includes('\t')) throw new Error(`line ${i + 1}: tabs are not allowed in YAML indentation`);
    const text = stripComment(raw).trimEnd();
    if (text.trim() === '') return;
    lines.push({ no: i + 1, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  let pos = 0;

  function block(indent: number): Node {
    const first = lines[pos];
    if (!first || first.indent !== indent) throw new Error(`line ${first?.no ?? '?'}: expected indentation ${indent}`);
    return first.text.startsWith('- ') || first.text === '-' ? sequence(indent) : mapping(indent);
  }

  function sequence(indent: number): Node[] {
    const items: Node[] = [];
    while (pos < lines.length && (lines[pos] as Line).indent === indent && (lines[pos] as Line).text.startsWith('- ')) {
      const line = lines[pos] as Line;
      // `- key: value` opens a mapping whose keys sit two columns further in.
      line.text = line.text.slice(2);
      line.indent += 2;
      items.push(block(indent + 2));
    }
    return items;
  }

  function mapping(indent: number): { [key: string]: Node } {
    const out: { [key: string]: Node } = {};
    while (pos < lines.length && (lines[pos] as Line).indent === indent && !(lines[pos] as Line).text.startsWith('- ')) {
      const line = lines[pos] as Line;
      const m = /^([A-Za-z_][\w.-]*):(?:\s+(.*))?$/.exec(line.text);
      if (!m) throw new Error(`line ${line.no}: expected "key: value", got ${JSON.stringify(line.text)}`);
      const key = m[1] as string;
      if (key in out) throw new Error(`line ${line.no}: duplicate key ${key}`);
      pos += 1;
      if (m[2] !== undefined && m[2] !== '') out[key] = scalar(m[2], line.no);
      else {
        const next = lines[pos];
        if (!next || next.indent <= indent) throw new Error(`line ${line.no}: ${key} has no value`);
        out[key] = block(next.indent);
      }
    }
    const stray = lines[pos];
    if (stray && stray.indent > indent) throw new Error(`line ${stray.no}: unexpected indentation`);
    return out;
  }

  const doc = block(lines[0]?.indent ?? 0);
  if (pos < lines.length) throw new Error(`line ${(lines[pos] as Line).no}: unexpected content`);
  return doc;
}

function scalar(text: string, no: number): string {
  if (/^[[{&*!|>]/.test(text)) throw new Error(`line ${no}: flow collections, anchors, tags and block scalars are outside the subset`);
  if (text.startsWith('"')) {
    if (!text.endsWith('"') || text.length < 2) throw new Error(`line ${no}: unterminated double-quoted string`);
    return JSON.parse(text) as string;
  }
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new Error(`line ${no}: unterminated single-quoted string`);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (/:\s/.test(text)) throw new Error(`line ${no}: a plain scalar cannot contain ": "; quote it`);
  return text;
}

/** Drops a `#` comment that is not inside quotes. */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ')) return line.slice(0, i);
  }
  return line;
}
