// A small, strict XML reader for the tests of the JUnit report: elements, attributes, text and
// the five predefined entities and character references. It throws on anything that is not
// well-formed, which is the point: a report a CI system cannot read fails the test.

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: Array<XmlElement | string>;
  /** All text inside, unescaped. */
  text: string;
}

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
// Characters XML 1.0 allows (tab, line feed, carriage return, and from space up, minus U+FFFE/U+FFFF).
const allowed = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function unescape(text: string, where: number): string {
  if (!allowed.test(text)) throw new Error(`character not allowed in XML near offset ${where}`);
  if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(text)) throw new Error(`bare & near offset ${where}`);
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) =>
    ref.startsWith('#x') ? String.fromCodePoint(parseInt(ref.slice(2), 16)) : ref.startsWith('#') ? String.fromCodePoint(Number(ref.slice(1))) : entities[ref]!,
  );
}

/** Parses a document with an optional XML declaration and one root element. */
export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (message: string): never => {
    throw new Error(`${message} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  const space = () => {
    while (/\s/.test(source[i] ?? '')) i++;
  };
  const name = () => {
    const match = /^[A-Za-z_][\w.-]*/.exec(source.slice(i));
    if (!match) fail('expected a name');
    i += match![0].length;
    return match![0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('expected <');
    i++;
    const tag = name();
    const attributes: Record<string, string> = {};
    for (;;) {
      space();
      if (source.startsWith('/>', i)) {
        i += 2;
        return { name: tag, attributes, children: [], text: '' };
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attribute = name();
      if (attribute in attributes) fail(`attribute ${attribute} repeated`);
      space();
      if (source[i] !== '=') fail('expected =');
      i++;
      space();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted value');
      const end = source.indexOf(quote!, i + 1);
      if (end < 0) fail('unterminated attribute');
      const raw = source.slice(i + 1, end);
      if (raw.includes('<')) fail('< in an attribute');
      // Literal line breaks and tabs in attributes are normalised to spaces, as parsers do.
      attributes[attribute] = unescape(raw.replace(/[\t\n\r]/g, ' '), i);
      i = end + 1;
    }
    const children: Array<XmlElement | string> = [];
    for (;;) {
      if (i >= source.length) fail(`unclosed <${tag}>`);
      if (source.startsWith('</', i)) {
        i += 2;
        if (name() !== tag) fail(`mismatched </…> for <${tag}>`);
        space();
        if (source[i] !== '>') fail('expected >');
        i++;
        break;
      }
      if (source[i] === '<') children.push(element());
      else {
        const end = source.indexOf('<', i);
        const raw = source.slice(i, end < 0 ? source.length : end);
        if (raw.includes(']]>')) fail(']]> in text');
        children.push(unescape(raw, i));
        i += raw.length;
      }
    }
    const text = children.map((child) => (typeof child === 'string' ? child : child.text)).join('');
    return { name: tag, attributes, children, text };
  };
  if (source.startsWith('<?xml')) {
    const end = source.indexOf('?>');
    if (end < 0) fail('unterminated declaration');
    i = end + 2;
  }
  space();
  const rootElement = element();
  space();
  if (i !== source.length) fail('content after the root element');
  return rootElement;
}
