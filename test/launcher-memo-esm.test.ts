import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { memoizeToEsm, readVlq, writeVlq } = require('../tools/launcher/memo-esm.cjs');

const HELPER = 'var __toESM=(mod,isNodeMode,target)=>(';

/** Absolute generated columns of each segment of one line of a source map's mappings. */
function columns(mappings: string, line: number): number[] {
  let column = 0;
  return mappings.split(';')[line].split(',').filter(s => s !== '').map(s => (column += readVlq(s, 0)[0]));
}

describe('tools/launcher/memo-esm.cjs', () => {
  test('base64 VLQ values read back as written', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 25), max: 2 ** 25 }), v => {
      expect(readVlq(writeVlq(v), 0)).toEqual([v, writeVlq(v).length]);
    }));
  });

  test('the helper is replaced, and mappings after it on its line move with the code they point at', () => {
    const code = `(function () {\n"use strict";var a=1;${HELPER}target=1);var zed=2;\nvar q=3;\n})`;
    const at = (c: string, s: string, line: number) => c.split('\n')[line].indexOf(s);
    const cols = [at(code, 'var a', 1), at(code, HELPER, 1), at(code, 'var zed', 1)];
    const seg = (rel: number, srcLine: number) => `${writeVlq(rel)}A${writeVlq(srcLine)}A`;
    const map = { version: 3, sources: ['x.ts'], names: [], mappings: `;${seg(cols[0], 0)},${seg(cols[1] - cols[0], 1)},${seg(cols[2] - cols[1], 1)};${seg(0, 1)}` };
    const out = memoizeToEsm(code, map);
    expect(out.code).toContain('__toESMMemo');
    expect(out.code.split('\n')).toHaveLength(code.split('\n').length);
    expect(columns(out.map.mappings, 1)).toEqual([at(out.code, 'var a', 1), at(out.code, 'var __toESMMemo', 1), at(out.code, 'var zed', 1)]);
    expect(columns(out.map.mappings, 2)).toEqual([0]);
  });

  test('a bundle without the helper, or with it twice, is left as it is', () => {
    const map = { version: 3, mappings: 'AAAA' };
    expect(memoizeToEsm('var x=1;', map)).toEqual({ code: 'var x=1;', map });
    expect(memoizeToEsm(`${HELPER}1);${HELPER}2);`, map).code).toBe(`${HELPER}1);${HELPER}2);`);
  });

  test('the memoized helper gives one namespace per module and import mode, with the module\'s exports live', () => {
    const helpers = 'var __create=Object.create;var __defProp=Object.defineProperty;var __getOwnPropDesc=Object.getOwnPropertyDescriptor;var __getOwnPropNames=Object.getOwnPropertyNames;var __getProtoOf=Object.getPrototypeOf;var __hasOwnProp=Object.prototype.hasOwnProperty;var __copyProps=(to,from,except,desc)=>{if(from&&typeof from==="object"||typeof from==="function"){for(let key2 of __getOwnPropNames(from))if(!__hasOwnProp.call(to,key2)&&key2!==except)__defProp(to,key2,{get:()=>from[key2],enumerable:!(desc=__getOwnPropDesc(from,key2))||desc.enumerable})}return to};';
    const esbuildHelper = `${HELPER}target=mod!=null?__create(__getProtoOf(mod)):{},__copyProps(isNodeMode||!mod||!mod.__esModule?__defProp(target,"default",{value:mod,enumerable:true}):target,mod));`;
    const { code } = memoizeToEsm(helpers + esbuildHelper, { mappings: '' });
    // eslint-disable-next-line no-new-func
    const toEsm = new Function(`${code}; return __toESM;`)();
    const mod: Record<string, unknown> = { a: 1 };
    const first = toEsm(mod);
    expect(toEsm(mod)).toBe(first);
    expect(toEsm(mod, 1)).not.toBe(first);
    expect(first.default).toBe(mod);
    mod.a = 2;
    expect(first.a).toBe(2);
    mod.b = 3; // a module that gained exports (an import cycle) gets a fresh namespace
    expect(toEsm(mod).b).toBe(3);
    expect(toEsm(5).default).toBe(5);
  });

  test('the memoized helper reads every export and default as esbuild\'s own does, an __esModule module serving as its namespace', () => {
    const helpers = 'var __create=Object.create;var __defProp=Object.defineProperty;var __getOwnPropDesc=Object.getOwnPropertyDescriptor;var __getOwnPropNames=Object.getOwnPropertyNames;var __getProtoOf=Object.getPrototypeOf;var __hasOwnProp=Object.prototype.hasOwnProperty;var __copyProps=(to,from,except,desc)=>{if(from&&typeof from==="object"||typeof from==="function"){for(let key2 of __getOwnPropNames(from))if(!__hasOwnProp.call(to,key2)&&key2!==except)__defProp(to,key2,{get:()=>from[key2],enumerable:!(desc=__getOwnPropDesc(from,key2))||desc.enumerable})}return to};';
    const esbuildHelper = `${HELPER}target=mod!=null?__create(__getProtoOf(mod)):{},__copyProps(isNodeMode||!mod||!mod.__esModule?__defProp(target,"default",{value:mod,enumerable:true}):target,mod));`;
    // eslint-disable-next-line no-new-func
    const original = new Function(`${helpers}${esbuildHelper}; return __toESM;`)();
    // eslint-disable-next-line no-new-func
    const memoized = new Function(`${memoizeToEsm(helpers + esbuildHelper, { mappings: '' }).code}; return __toESM;`)();
    const view = (ns: any) => {
      const keys = Object.getOwnPropertyNames(ns).filter(k => k !== '__esModule').sort();
      return { keys, enumerable: Object.keys(ns).sort(), values: keys.map(k => ns[k]), default: ns.default, proto: Object.getPrototypeOf(ns) };
    };
    fc.assert(fc.property(
      fc.dictionary(fc.constantFrom('a', 'b', 'default', 'Kube', '0', 'x'), fc.oneof(fc.integer(), fc.string())),
      fc.boolean(), fc.boolean(), fc.constantFrom(0, 1),
      (exports, esModule, hiddenKey, isNodeMode) => {
        const mod: Record<string, unknown> = { ...exports };
        if (esModule) Object.defineProperty(mod, '__esModule', { value: true });
        if (hiddenKey) Object.defineProperty(mod, 'hidden', { value: 7, enumerable: false });
        const ns = memoized(mod, isNodeMode);
        expect(view(ns)).toEqual(view(original(mod, isNodeMode)));
        if (esModule && !isNodeMode) expect(ns).toBe(mod);
        else expect(ns).not.toBe(mod);
      },
    ), { numRuns: 2000 });
  });
});
