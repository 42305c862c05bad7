// Issue 15 §6: saving and loading at the edges. No temporary file outlives an interrupted or
// failed save, an unwritable folder's error names the file, a tensor named '__proto__' is refused,
// and a file full of NaN says so.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { threadId } from 'node:worker_threads';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Linear, loadSafetensors, manualSeed, readSafetensorsMetadata, saveSafetensors, tensor, Tensor } from '../../kernel/engine/index';
import { loadModel, loadModelFromBytes, loadStateDictInto, saveModel } from '../../kernel/interop/index';
import { processIsGone, removeAbandonedTempFiles, removeStaleTempFiles, removeStaleTempFilesIn, tempPathFor, writeFileAtomic } from '../../kernel/io/atomicWrite';

const dir = mkdtempSync(join(tmpdir(), 'rnn-lab-files-edge-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The pid of a process that has exited (and, right after, is very unlikely to be reused). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** Files under `folder` this process holds open (Linux; elsewhere none are seen). */
function openFilesUnder(folder: string): string[] {
  if (!existsSync('/proc/self/fd')) return [];
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      if (target.startsWith(folder)) open.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return open;
}

function tempFiles(folder: string): string[] {
  return readdirSync(folder).filter((name) => /\.tmp-\d+-\d+$/.test(name));
}

describe('no temporary file outlives a save', () => {
  it('a killed process’s temporary file of the same target goes at the next write; others stay', () => {
    const folder = join(dir, 'stale');
    mkdirSync(folder);
    const target = join(folder, 'model.safetensors');
    const gone = deadPid();
    expect(processIsGone(gone)).toBe(true);
    expect(processIsGone(process.pid)).toBe(false);
    const stale = tempPathFor(target, gone, 0);
    const staleWorker = tempPathFor(target, gone, 3);
    const ownThread = tempPathFor(target); // this thread is not inside a write: abandoned
    const live = tempPathFor(target, process.ppid, 0); // a live process's write in progress
    const otherTarget = tempPathFor(join(folder, 'other.safetensors'), gone, 0);
    const prefixed = join(folder, `xmodel.safetensors.tmp-${gone}-0`); // another target's
    const notOurs = [`${target}.tmp-${gone}`, `${target}.tmp-x-1`, `${target}.tmp-${gone}-0.bak`];
    for (const f of [stale, staleWorker, ownThread, live, otherTarget, prefixed, ...notOurs]) writeFileSync(f, 'partial');

    writeFileAtomic(target, 'new');
    expect(readFileSync(target, 'utf8')).toBe('new');
    for (const f of [stale, staleWorker, ownThread]) expect(existsSync(f), f).toBe(false);
    for (const f of [live, otherTarget, prefixed, ...notOurs]) expect(existsSync(f), f).toBe(true);

    // A whole folder (as at kernel start): every dead process's temporary file, nothing else.
    expect(removeStaleTempFilesIn(folder).sort()).toEqual([otherTarget, prefixed].sort());
    for (const f of [live, ...notOurs]) expect(existsSync(f), f).toBe(true);
    expect(removeStaleTempFiles(target)).toEqual([]);
  });

  it('a save ended by TerminateExecution (an interrupted cell) leaves no temporary file after the next event-loop turn', async () => {
    const folder = join(dir, 'interrupted');
    mkdirSync(folder);
    const target = join(folder, 'big.safetensors');
    writeFileSync(target, 'old');
    const bytes = new Uint8Array(48 * 2 ** 20).fill(7); // long enough for the termination to land inside the save
    let abandoned = 0;
    for (const timeout of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
      let terminated = false;
      try {
        // vm's timeout ends the script with V8's TerminateExecution, as the kernel's interrupt does.
        runInNewContext('write(target, bytes)', { write: writeFileAtomic, target, bytes }, { timeout });
      } catch (error) {
        expect((error as Error).message).toMatch(/timed out/);
        terminated = true;
      }
      if (terminated && tempFiles(folder).length > 0) abandoned++;
      await nextTurn();
      expect(tempFiles(folder)).toEqual([]);
      // Either the old file or the whole new one, never a part.
      const size = readFileSync(target).length;
      expect([3, bytes.length]).toContain(size);
      writeFileSync(target, 'old');
    }
    // The termination landed between the temporary file's creation and its rename at least once.
    console.log(`the termination left a temporary file behind (until the next turn) in ${abandoned} of 10 saves`);
    expect(abandoned).toBeGreaterThan(0);
    // And the descriptors of the abandoned files were closed (an open one keeps a removed file's 48 MB).
    expect(openFilesUnder(folder)).toEqual([]);
  });

  it('removeAbandonedTempFiles removes this thread’s unfinished file at once (the runtime may call it after an interrupt)', () => {
    const folder = join(dir, 'abandoned');
    mkdirSync(folder);
    const target = join(folder, 'm.safetensors');
    try {
      runInNewContext('write(target, bytes)', { write: writeFileAtomic, target, bytes: new Uint8Array(64 * 2 ** 20) }, { timeout: 2 });
    } catch {
      // terminated
    }
    removeAbandonedTempFiles();
    expect(tempFiles(folder)).toEqual([]);
    expect(existsSync(tempPathFor(target, process.pid, threadId))).toBe(false);
  });

  it('a failed save removes its temporary file and names the target in the error', () => {
    const folder = join(dir, 'failed');
    mkdirSync(join(folder, 'model.safetensors', 'inside'), { recursive: true }); // a folder in the way
    expect(() => writeFileAtomic(join(folder, 'model.safetensors'), 'x')).toThrow(/^Cannot save model\.safetensors: .* writing .*model\.safetensors \(E[A-Z]+: /);
    expect(tempFiles(folder)).toEqual([]);
  });

  it('an unwritable folder: "Cannot save model.safetensors: permission denied writing /path/…"', () => {
    manualSeed(1);
    const model = new Linear(2, 1);
    // root ignores file modes; /sys refuses new files even to root.
    let folder = '/sys';
    if (process.getuid?.() !== 0) {
      folder = join(dir, 'readonly');
      mkdirSync(folder);
      chmodSync(folder, 0o500);
    }
    const path = join(folder, 'model.safetensors');
    let message = '';
    try {
      saveModel(model, path);
    } catch (error) {
      message = (error as Error).message;
      expect((error as NodeJS.ErrnoException).code).toBe('EACCES');
    }
    expect(message).toMatch(new RegExp(`^Cannot save model\\.safetensors: permission denied writing ${path.replace(/\./g, '\\.')} \\(EACCES: permission denied, open '`));
    if (folder !== '/sys') chmodSync(folder, 0o700);
  });
});

/** A safetensors file written by hand: F32 tensors by name (1-D unless a shape is given), in the order given. */
function fileWith(tensors: [string, number[], number[]?][], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  // JSON.stringify of a plain object would drop a '__proto__' key: build the text by hand.
  const entries = tensors.map(([name, values, shape]) => {
    const entry = `${JSON.stringify(name)}:{"dtype":"F32","shape":[${(shape ?? [values.length]).join(',')}],"data_offsets":[${offset},${offset + 4 * values.length}]}`;
    offset += 4 * values.length;
    return entry;
  });
  const meta = metadata ? [`"__metadata__":${JSON.stringify(metadata)}`] : [];
  const text = new TextEncoder().encode(`{${[...meta, ...entries].join(',')}}`);
  const out = new Uint8Array(8 + text.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  const data = new Float32Array(out.buffer.slice(8 + text.length));
  let k = 0;
  for (const [, values] of tensors) for (const v of values) data[k++] = v;
  out.set(new Uint8Array(data.buffer), 8 + text.length);
  return out;
}

describe("a tensor named '__proto__'", () => {
  const refused = "tensor name '__proto__' is refused: as a key of a JavaScript object it would replace the object's prototype; give it another name";

  it('is refused when loading, by loadSafetensors and by loadModel', () => {
    const bytes = fileWith([['__proto__', [1, 2]], ['weight', [3, 4]]]);
    expect(() => loadSafetensors(bytes)).toThrow(`safetensors: ${refused}`);
    expect(() => readSafetensorsMetadata(bytes)).toThrow(refused);
    const path = join(dir, 'proto.safetensors');
    writeFileSync(path, bytes);
    expect(() => loadModel(new Linear(2, 1), path)).toThrow(`Cannot load proto.safetensors: safetensors: ${refused}`);
    const metaProto = new TextEncoder().encode('{"__metadata__":{"__proto__":"x"}}');
    const withMeta = new Uint8Array(8 + metaProto.length);
    new DataView(withMeta.buffer).setBigUint64(0, BigInt(metaProto.length), true);
    withMeta.set(metaProto, 8);
    expect(() => loadSafetensors(withMeta)).toThrow("safetensors: __metadata__ key '__proto__' is refused");
  });

  it('is refused when saving, whether an own key, a Map key, or a prototype it replaced', () => {
    const t = tensor([1, 2]);
    const ownKey = Object.defineProperty({} as Record<string, Tensor>, '__proto__', { value: t, enumerable: true });
    expect(() => saveSafetensors(ownKey)).toThrow(`safetensors: ${refused}`);
    expect(() => saveSafetensors(new Map([['__proto__', t]]))).toThrow(`safetensors: ${refused}`);
    const assigned: Record<string, Tensor> = {};
    assigned['__proto__'] = t; // JavaScript sets the prototype: the tensor would vanish silently
    expect(() => saveSafetensors(assigned)).toThrow("safetensors: a tensor was assigned to the key '__proto__', which JavaScript takes as the object's prototype");
    expect(() => saveSafetensors({ w: t }, Object.defineProperty({}, '__proto__', { value: 'x', enumerable: true }))).toThrow("safetensors: metadata key '__proto__' is refused");
  });

  it("'constructor' and 'prototype' are ordinary names: loaded into an object without a prototype", () => {
    const bytes = saveSafetensors(new Map([['constructor', tensor([1])], ['prototype', tensor([2, 3])]]));
    const loaded = loadSafetensors(bytes);
    expect(Object.getPrototypeOf(loaded)).toBeNull();
    expect(Object.keys(loaded)).toEqual(['constructor', 'prototype']);
    expect(Array.from(loaded['constructor' as string]!.data)).toEqual([1]);
    expect('toString' in loaded).toBe(false);
    expect(Object.getPrototypeOf(readSafetensorsMetadata(bytes).metadata)).toBeNull();
  });

  it('a state dict missing keys named like Object.prototype’s is not fooled by them', () => {
    manualSeed(1);
    const model = new Linear(2, 1);
    const file = Object.create(null) as Record<string, Tensor>;
    file['module.weight'] = tensor([[5, 6]]);
    file['module.bias'] = tensor([7]);
    expect(loadStateDictInto(model, file, { stripPrefix: 'module.' }).loaded).toEqual(['weight', 'bias']);
    expect(Array.from(model.weight.data)).toEqual([5, 6]);
  });
});

describe('a file holding NaN or ±Infinity', () => {
  function nanFile(): Uint8Array {
    return fileWith([['weight', [NaN, 1], [1, 2]], ['bias', [Infinity]]]);
  }

  it('loadModel loads it (as torch does) and warns, naming the tensors and how many values', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const path = join(dir, 'nan.safetensors');
    writeFileSync(path, nanFile());
    const model = new Linear(2, 1);
    loadModel(model, path);
    expect(Number.isNaN(model.weight.data[0])).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toBe(
      "Warning: nan.safetensors holds non-finite values: weight (1 NaN of 2 values), bias (1 +Infinity of 1 values). They were loaded (pass { nonFinite: 'error' } to refuse such files, 'allow' to load them quietly); a model with NaN weights outputs NaN, and training it diverges at its first step.",
    );
  });

  it("{ nonFinite: 'error' } refuses the file and leaves the model as it was; 'allow' is quiet", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    manualSeed(3);
    const model = new Linear(2, 1);
    const before = Array.from(model.weight.data);
    expect(() => loadModelFromBytes(model, nanFile(), { nonFinite: 'error', source: 'nan.safetensors' })).toThrow(
      "Cannot load nan.safetensors: safetensors: nan.safetensors holds non-finite values: weight (1 NaN of 2 values), bias (1 +Infinity of 1 values); refused ({ nonFinite: 'error' })",
    );
    expect(Array.from(model.weight.data)).toEqual(before);
    loadModelFromBytes(model, nanFile(), { nonFinite: 'allow' });
    expect(warn).not.toHaveBeenCalled();
    expect(() => loadModelFromBytes(model, nanFile(), { nonFinite: 'ignore' as never })).toThrow("nonFinite must be 'warn', 'error' or 'allow', got \"ignore\"");
  });

  it('only the tensors that were loaded are named (strict: false)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const model = new Linear(2, 1);
    loadModelFromBytes(model, fileWith([['weight', [1, 2], [1, 2]], ['bias', [3]], ['extra', [NaN]]]), { strict: false });
    expect(warn).not.toHaveBeenCalled();
  });

  it('loadSafetensors warns by default too, and counts every kind', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    loadSafetensors(fileWith([['a', [NaN, NaN, -Infinity, 0]]]));
    expect(warn.mock.calls[0]![0]).toMatch(/^Warning: the safetensors data holds non-finite values: a \(2 NaN, 1 -Infinity of 4 values\)\./);
    loadSafetensors(fileWith([['a', [NaN]]]), { nonFinite: 'allow' });
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
