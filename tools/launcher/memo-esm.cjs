// Makes esbuild's `__toESM` helper in a bundle return one namespace per CommonJS module instead of a new
// copy at every import site.
//
// Each of our modules that imports cdk8s or constructs gets `__toESM(require_cdk8s())`: a fresh object with a
// forwarding getter for each export. Fifteen modules import cdk8s and sixteen constructs, and the copies took
// 1.4 ms of a synth's start-up under the profiler (0.35 ms memoized). The getters read the module's exports when
// called, so one namespace per module (and import mode) serves every import site the same; it is made
// again if the module gained exports since (a cycle can import a module before it has finished loading).
// A module marked `__esModule` (compiled TypeScript, our stand-ins), imported outside Node mode, gets no `default`
// of its own: its namespace would only forward each of its properties, which the module object does as well,
// so it is its own namespace (the k8s bindings alone have two hundred exports to copy).
//
// tools/launcher/run.cjs applies this to the bundle it writes, and shifts the source map to match.
'use strict';

const HELPER = 'var __toESM=(mod,isNodeMode,target)=>(';
const MEMO = [
  'var __toESMMemo=new WeakMap;',
  'var __toESM=(mod,isNodeMode)=>{',
  'if(mod==null||typeof mod!=="object"&&typeof mod!=="function")return __toESMCopy(mod,isNodeMode);',
  'if(!isNodeMode&&mod.__esModule)return mod;',
  'let m=__toESMMemo.get(mod);if(m===void 0)__toESMMemo.set(mod,m=[]);',
  'const k=isNodeMode?1:0,n=__getOwnPropNames(mod).length;',
  'if(m[k]===void 0||m[k+2]!==n){m[k]=__toESMCopy(mod,isNodeMode);m[k+2]=n}',
  'return m[k]};',
  'var __toESMCopy=(mod,isNodeMode,target)=>(',
].join('');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Reads one base64 VLQ value of a source map segment from `s` at `i`: [value, next index]. */
function readVlq(s, i) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const digit = B64.indexOf(s[i++]);
    result += (digit & 31) << shift;
    shift += 5;
    if ((digit & 32) === 0) break;
  }
  return [result & 1 ? -(result >>> 1) : result >>> 1, i];
}

function writeVlq(value) {
  let v = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/**
 * Moves every mapping of generated line `line` (0-based) that starts at or after column `from` by `delta`
 * columns. Columns within a line are stored relative to the previous segment, so only the first segment at
 * or after `from` changes.
 */
function shiftColumns(map, line, from, delta) {
  const lines = map.mappings.split(';');
  const segments = lines[line].split(',');
  let column = 0;
  for (let i = 0; i < segments.length; i++) {
    if (segments[i] === '') continue;
    const [rel, next] = readVlq(segments[i], 0);
    column += rel;
    if (column >= from) {
      segments[i] = writeVlq(rel + delta) + segments[i].slice(next);
      break;
    }
  }
  lines[line] = segments.join(',');
  return { ...map, mappings: lines.join(';') };
}

/**
 * The bundle's code with `__toESM` memoized, and its source map to match; both unchanged when esbuild
 * wrote the helper otherwise (the bundle then works as it is, only slower to start).
 */
function memoizeToEsm(code, map) {
  const at = code.indexOf(HELPER);
  if (at === -1 || code.indexOf(HELPER, at + 1) !== -1) return { code, map };
  const line = code.slice(0, at).split('\n').length - 1;
  const column = at - (code.lastIndexOf('\n', at - 1) + 1);
  return {
    code: code.slice(0, at) + MEMO + code.slice(at + HELPER.length),
    map: shiftColumns(map, line, column + HELPER.length, MEMO.length - HELPER.length),
  };
}

module.exports = { memoizeToEsm, shiftColumns, readVlq, writeVlq };
