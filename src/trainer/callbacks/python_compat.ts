/**
 * Python's way of printing numbers and joining paths, for the file names and CSV cells that must
 * match what Lightning writes: `repr(float)`, `format(value, spec)` (`{epoch:02d}`,
 * `{val_loss:.4f}`), `str.format` on a template and `os.path.join`.
 *
 * @module
 */

/** A number as Python holds it: an `int` (epoch, step) or a `float` (every logged value). */
export interface PyNumber {
  /** The value. */
  value: number;
  /** True for a Python `int` (printed without a decimal point). */
  isInt: boolean;
}

/** The error Python raises for a bad format spec or template (`ValueError`, `KeyError`). */
export class PyFormatError extends Error {
  override name = "PyFormatError";
}

/** `os.path.join`: a part that starts with `/` restarts the path; no separator is doubled. */
export function pyJoin(first: string, ...rest: string[]): string {
  let path = first;
  for (const part of rest) {
    if (part.startsWith("/")) path = part;
    else if (path === "" || path.endsWith("/")) path += part;
    else path += "/" + part;
  }
  return path;
}

/** `repr(s)` of a Python str: single quotes unless the text holds one and no double quote. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch < " " || ch === "\x7f") {
      out += "\\x" + ch.charCodeAt(0).toString(16).padStart(2, "0");
    } else out += ch;
  }
  return quote + out + quote;
}

/** `repr(x)` of a Python float: the shortest digits that read back as `x`, Python's layout. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest round-trip digits, as repr does.
  const [mant, expText] = Math.abs(x).toExponential().split("e");
  const digits = mant.replace(".", "");
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const frac = digits.length > 1 ? "." + digits.slice(1) : "";
    return `${sign}${digits[0]}${frac}e${exp < 0 ? "-" : "+"}${
      String(Math.abs(exp)).padStart(2, "0")
    }`;
  }
  const point = exp + 1;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** `str(n)` for a Python value: an int without a point, a float as `repr`. */
export function pyStr(n: PyNumber): string {
  return n.isInt ? String(Math.trunc(n.value)) : pyFloatRepr(n.value);
}

// ---------------------------------------------------------------------------------------------
// Exact decimal digits of a double, rounded half-to-even as CPython's dtoa does.

/** `|x| = 0.digits × 10^point`, exactly (a double is a finite binary fraction). */
interface Decimal {
  digits: string;
  point: number;
}

const view = new DataView(new ArrayBuffer(8));

function exactDecimal(x: number): Decimal {
  if (x === 0) return { digits: "", point: 0 };
  view.setFloat64(0, Math.abs(x));
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2 = -1074;
  if (expBits !== 0) {
    mant |= 1n << 52n;
    e2 = expBits - 1075;
  }
  let text: string, point: number;
  if (e2 >= 0) {
    text = (mant << BigInt(e2)).toString();
    point = text.length;
  } else {
    text = (mant * 5n ** BigInt(-e2)).toString();
    point = text.length + e2;
  }
  return { digits: text.replace(/0+$/, ""), point };
}

/** Keeps the first `keep` digits, rounding the rest half to even. */
function roundDigits(d: Decimal, keep: number): Decimal {
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: "", point: d.point };
  const head = d.digits.slice(0, keep), rest = d.digits.slice(keep);
  let up: boolean;
  if (rest[0] !== "5") up = rest[0] > "5";
  else if (rest.length > 1) up = true; // trailing zeros were stripped, so more digits mean > half
  else up = head.length > 0 && Number(head[head.length - 1]) % 2 === 1;
  if (!up) return { digits: head.replace(/0+$/, ""), point: d.point };
  if (head === "") return { digits: "1", point: d.point + 1 };
  const chars = head.split("");
  let i = chars.length - 1;
  while (i >= 0 && chars[i] === "9") chars[i--] = "0";
  if (i < 0) return { digits: "1", point: d.point + 1 };
  chars[i] = String(Number(chars[i]) + 1);
  return { digits: chars.join("").replace(/0+$/, ""), point: d.point };
}

function digitAt(d: Decimal, index: number): string {
  return index >= 0 && index < d.digits.length ? d.digits[index] : "0";
}

/** Fixed notation with `prec` decimals: [integer part, fraction part]. */
function fixedParts(x: number, prec: number): [string, string] {
  const d = exactDecimal(x);
  const r = roundDigits(d, d.point + prec);
  let int = "";
  for (let i = 0; i < r.point; i++) int += digitAt(r, i);
  let frac = "";
  for (let i = 0; i < prec; i++) frac += digitAt(r, r.point + i);
  return [int === "" ? "0" : int, frac];
}

/** Scientific notation with `prec` decimals: [mantissa digits, exponent]. */
function expParts(x: number, prec: number): [string, number] {
  const r = roundDigits(exactDecimal(x), prec + 1);
  const exp = r.digits === "" ? 0 : r.point - 1;
  return [r.digits.padEnd(prec + 1, "0"), exp];
}

function expText(mant: string, exp: number, alt: boolean): string {
  const frac = mant.length > 1 ? "." + mant.slice(1) : alt ? "." : "";
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${mant[0]}${frac}e${e}`;
}

function stripZeros(s: string): string {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** `|x|` in the general format ('g', or no type with `addDot0`). Returns [digits text, exp form]. */
function generalText(x: number, precision: number, alt: boolean, addDot0: boolean): string {
  const p = precision === 0 ? 1 : precision;
  const r = roundDigits(exactDecimal(x), p);
  const exp = r.digits === "" ? 0 : r.point - 1;
  const useExp = exp < -4 || exp >= (addDot0 ? p - 1 : p);
  let out: string;
  if (useExp) {
    const [mant, e] = expParts(x, p - 1);
    const m = alt ? mant : mant.replace(/0+$/, "") || "0";
    out = expText(m, e, alt);
    if (!alt) out = out.replace(/\.e/, "e");
  } else {
    const [int, frac] = fixedParts(x, Math.max(0, p - 1 - exp));
    out = frac.length ? `${int}.${frac}` : alt ? `${int}.` : int;
    if (!alt) out = stripZeros(out);
  }
  if (addDot0 && !/[.e]/.test(out)) out += ".0";
  return out;
}

// ---------------------------------------------------------------------------------------------
// The format-spec mini-language.

interface Spec {
  fill: string;
  align: string | undefined;
  sign: string;
  z: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | undefined;
  type: string;
}

const SPEC_RE = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/;

function parseSpec(spec: string): Spec {
  const m = SPEC_RE.exec(spec);
  if (!m) throw new PyFormatError(`Invalid format specifier '${spec}'`);
  return {
    fill: m[1] ?? (m[6] && !m[2] ? "0" : " "),
    align: m[2] ?? (m[6] ? "=" : undefined),
    sign: m[3] ?? "-",
    z: m[4] !== undefined,
    alt: m[5] !== undefined,
    zero: m[6] !== undefined,
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8] ?? "",
    precision: m[9] !== undefined ? Number(m[9]) : undefined,
    type: m[10] ?? "",
  };
}

function group(int: string, sep: string, size: number): string {
  let out = "";
  for (let i = int.length; i > 0; i -= size) {
    out = int.slice(Math.max(0, i - size), i) + (out ? sep + out : "");
  }
  return out;
}

/** Lays out sign + prefix + body (integer part grouped) within the spec's width and alignment. */
function layout(s: Spec, negative: boolean, prefix: string, int: string, rest: string): string {
  const sign = negative ? "-" : s.sign === "+" ? "+" : s.sign === " " ? " " : "";
  const size = s.type === "b" || s.type === "o" || s.type === "x" || s.type === "X" ? 4 : 3;
  let body = s.grouping ? group(int, s.grouping, size) : int;
  if (s.zero && s.align === "=" && s.fill === "0" && s.grouping) {
    // Python puts separators into the zero padding too.
    let digits = int;
    while ((sign + prefix + group(digits, s.grouping, size) + rest).length < s.width) {
      digits = "0" + digits;
    }
    body = group(digits, s.grouping, size);
  }
  const text = body + rest;
  const pad = Math.max(0, s.width - (sign.length + prefix.length + text.length));
  const fill = s.fill.repeat(pad);
  switch (s.align ?? ">") {
    case "<":
      return sign + prefix + text + fill;
    case "^": {
      const left = s.fill.repeat(Math.floor(pad / 2));
      return left + sign + prefix + text + s.fill.repeat(pad - left.length);
    }
    case "=":
      return sign + prefix + fill + text;
    default:
      return fill + sign + prefix + text;
  }
}

function formatInt(n: number, s: Spec): string {
  if (s.precision !== undefined) {
    throw new PyFormatError("Precision not allowed in integer format specifier");
  }
  const v = Math.trunc(n);
  const abs = Math.abs(v);
  let digits: string, prefix = "";
  switch (s.type) {
    case "b":
      digits = abs.toString(2);
      prefix = s.alt ? "0b" : "";
      break;
    case "o":
      digits = abs.toString(8);
      prefix = s.alt ? "0o" : "";
      break;
    case "x":
    case "X":
      digits = abs.toString(16);
      prefix = s.alt ? "0x" : "";
      if (s.type === "X") [digits, prefix] = [digits.toUpperCase(), prefix.toUpperCase()];
      break;
    case "c":
      return layout({ ...s, grouping: "" }, false, "", String.fromCodePoint(v), "");
    default:
      digits = BigInt(abs).toString();
  }
  return layout(s, v < 0, prefix, digits, "");
}

function formatFloat(x: number, s: Spec): string {
  const upper = s.type === "E" || s.type === "F" || s.type === "G";
  const type = s.type.toLowerCase();
  let negative = x < 0 || Object.is(x, -0);
  let value = Math.abs(x);
  if (type === "%") value *= 100;
  let int: string, rest: string;
  if (Number.isNaN(x) || !Number.isFinite(x)) {
    negative = !Number.isNaN(x) && x < 0;
    int = Number.isNaN(x) ? "nan" : "inf";
    rest = type === "%" ? "%" : "";
    const spec = { ...s, grouping: "", fill: s.zero && !s.align ? " " : s.fill };
    return layout(spec, negative, "", upper ? int.toUpperCase() : int, rest);
  }
  let text: string;
  if (type === "f" || type === "%") {
    const [i, f] = fixedParts(value, s.precision ?? 6);
    text = f.length ? `${i}.${f}` : s.alt ? `${i}.` : i;
  } else if (type === "e") {
    const [mant, exp] = expParts(value, s.precision ?? 6);
    text = expText(mant, exp, s.alt);
  } else if (type === "g" || type === "n") {
    text = generalText(value, s.precision ?? 6, s.alt, false);
  } else if (s.precision === undefined) {
    text = pyFloatRepr(value);
  } else {
    text = generalText(value, s.precision, s.alt, true);
  }
  if (s.z && negative && !/[1-9]/.test(text.replace(/e.*$/, ""))) negative = false;
  if (upper) text = text.toUpperCase();
  const cut = text.search(/[.eE]/);
  int = cut < 0 ? text : text.slice(0, cut);
  rest = (cut < 0 ? "" : text.slice(cut)) + (type === "%" ? "%" : "");
  return layout(s, negative, "", int, rest);
}

/** `format(value, spec)` in Python, for an int or a float. */
export function pyFormat(n: PyNumber, spec: string): string {
  const s = parseSpec(spec);
  const kind = n.isInt ? "int" : "float";
  if (n.isInt) {
    if ("bcdoxXn".includes(s.type) || s.type === "") {
      if (s.type === "" && s.precision === undefined && spec === "") return pyStr(n);
      return formatInt(n.value, s);
    }
    if ("eEfFgG%".includes(s.type)) return formatFloat(n.value, s);
  } else if ("eEfFgGn%".includes(s.type) || s.type === "") {
    if (spec === "") return pyStr(n);
    return formatFloat(n.value, s);
  }
  throw new PyFormatError(`Unknown format code '${s.type}' for object of type '${kind}'`);
}

/**
 * `template.format(values)` for templates whose fields are `{0[key]}` or `{0[key]:spec}` (the
 * form ModelCheckpoint rewrites file names into). `{{` and `}}` are literal braces.
 */
export function pyFormatTemplate(template: string, lookup: (key: string) => PyNumber): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === "}") {
      if (template[i + 1] !== "}") {
        throw new PyFormatError("Single '}' encountered in format string");
      }
      out += "}";
      i += 2;
      continue;
    }
    if (ch !== "{") {
      out += ch;
      i++;
      continue;
    }
    if (template[i + 1] === "{") {
      out += "{";
      i += 2;
      continue;
    }
    // A replacement field: the name runs to ':', '!' or '}' outside brackets.
    let j = i + 1, inBracket = false;
    while (j < template.length) {
      const c = template[j];
      if (inBracket) {
        if (c === "]") inBracket = false;
      } else if (c === "[") inBracket = true;
      else if (c === ":" || c === "!" || c === "}") break;
      j++;
    }
    if (j >= template.length) throw new PyFormatError("expected '}' before end of string");
    const field = template.slice(i + 1, j);
    if (template[j] === "!") {
      throw new PyFormatError(`conversion in field '{${field}!...}' is not supported`);
    }
    let spec = "";
    if (template[j] === ":") {
      const end = template.indexOf("}", j + 1);
      if (end < 0) throw new PyFormatError("expected '}' before end of string");
      spec = template.slice(j + 1, end);
      if (spec.includes("{")) {
        throw new PyFormatError(`nested fields in the format spec '${spec}' are not supported`);
      }
      j = end;
    }
    const m = /^0?\[([^\]]*)\]$/.exec(field);
    if (!m) throw new PyFormatError(`unsupported field '{${field}}' (expected '{0[name]}')`);
    if (m[1] === "") throw new PyFormatError("Empty attribute in format string");
    out += pyFormat(lookup(m[1]), spec);
    i = j + 1;
  }
  return out;
}
