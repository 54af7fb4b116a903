// The example app: start WebGPU (WebGL fallback), load the shipped checkpoint (guided by its shipped guide at
// the shipped weight, as `edm generate` without --net) or a file, sample with live previews, cancel. The page state is on <body data-state>: starting, loading, ready, sampling, done,
// cancelled, error (scripts and tests wait on it).
// tfjs-core first: its flags must be registered before @edm/core's tfjs-core side-effect imports run (the
// Vite dev server serves them as separate pre-bundled modules, evaluated in import order).
import '@tensorflow/tfjs-core';
import { SamplerAbortedError } from '@edm/core';
import shipped from 'virtual:edm-shipped-model';
import { backendParams, liveTensors, startBackend, type BackendStatus } from './backend';
import { checkGuide, describeImages, loadCheckpointFile, loadCheckpointUrl, type LoadedNetwork } from './checkpoint';
import { cliLine } from './cli-line';
import { elements } from './dom';
import { generate } from './generate';
import { drawGrid } from './render';
import { optionFields } from './options-form';
import { DEFAULT_SAMPLER, SAMPLERS } from './samplers';
import { parseSettings, stepsOf, type RawSettings } from './settings';

type PageState = 'starting' | 'loading' | 'ready' | 'sampling' | 'done' | 'cancelled' | 'error';

const ui = elements();
let backend: BackendStatus | null = null;
let net: LoadedNetwork | null = null;
let netName = '';
/** The autoguidance guide network (a second checkpoint of the same images), or null. */
let guide: LoadedNetwork | null = null;
let guideName = '';
let running: AbortController | null = null;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const fmtSigma = (s: number) => (s === 0 ? '0' : s >= 1 ? s.toFixed(3) : s.toPrecision(3));

function setState(state: PageState): void {
  document.body.dataset.state = state;
  const idle = state !== 'sampling' && state !== 'loading' && state !== 'starting';
  ui.sample.disabled = !(idle && net !== null && backend !== null);
  ui.cancel.disabled = state !== 'sampling';
  ui.file.disabled = !idle || backend === null;
  ui.guideFile.disabled = !idle || backend === null || net === null;
  ui.guideClear.disabled = !idle || guide === null;
  ui.tensors.textContent = backend ? `Live tensors: ${liveTensors()}.` : '';
}

function showError(text: string): void {
  ui.error.textContent = text;
  ui.error.hidden = false;
  setState('error');
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.textContent = '';
}

/** The option fields now in the form (the chosen sampler's), by table key. */
const fieldInputs = new Map<string, HTMLInputElement | HTMLSelectElement>();

/**
 * Renders the chosen sampler's settings from the sampler table: one input per setting (a select for choices
 * and booleans), its default filled in; a value already typed for a setting the new sampler also has is kept.
 */
function renderOptions(): void {
  const kept = new Map([...fieldInputs].map(([key, el]) => [key, el.value]));
  fieldInputs.clear();
  const labels = optionFields(ui.sampler.value).map((f) => {
    const input = f.spec.kind === 'choice' || f.spec.kind === 'boolean' ? document.createElement('select') : document.createElement('input');
    if (input instanceof HTMLSelectElement) {
      const values = f.spec.kind === 'choice' ? f.spec.choices : ['true', 'false'];
      for (const v of values) input.add(new Option(v, v));
    } else {
      input.type = 'text';
      input.inputMode = 'decimal';
      input.placeholder = f.placeholder;
    }
    input.id = f.id;
    input.value = kept.get(f.key) ?? f.initial;
    input.title = f.title;
    fieldInputs.set(f.key, input);
    const label = document.createElement('label');
    const name = document.createElement('span');
    name.textContent = f.label;
    name.title = f.title;
    label.append(name, ' ', input);
    return label;
  });
  const legend = document.createElement('legend');
  legend.textContent = `Sampler settings (${ui.sampler.value})`;
  ui.options.replaceChildren(legend, ...labels);
}

function readRaw(): RawSettings {
  return {
    seed: ui.seed.value, batch: ui.batch.value, classIndex: ui.classIndex.value, sampler: ui.sampler.value,
    options: Object.fromEntries([...fieldInputs].map(([key, el]) => [key, el.value])),
    ...(guide && { guidance: ui.guidance.value }),
  };
}

/** Shows the CLI command for the current settings (or nothing while they are invalid). */
function updateCliLine(): void {
  if (!net) return;
  try {
    ui.cli.textContent = cliLine(parseSettings(readRaw(), net.labelDim), netName, guide ? guideName : undefined);
  } catch {
    ui.cli.textContent = '(fix the settings above)';
  }
}

/** Drops the guide (with a note on the page why, if given). */
function dropGuide(why = 'none (no autoguidance)'): void {
  guide?.dispose();
  guide = null;
  guideName = '';
  ui.guideFile.value = '';
  ui.guide.textContent = why;
}

function useNetwork(loaded: LoadedNetwork, name: string, bytes: number): void {
  net?.dispose();
  net = loaded;
  netName = name;
  if (guide) {
    try {
      checkGuide(loaded, name, guide, guideName);
    } catch (e) {
      dropGuide(`none: ${message(e)}`);
    }
  }
  const kind = loaded.labelDim > 0 ? `class-conditional, ${loaded.labelDim} classes` : 'unconditional';
  ui.model.textContent = `${name} (${(bytes / 1e6).toFixed(2)} MB): ${loaded.imgResolution}x${loaded.imgResolution}x` +
    `${loaded.imgChannels}, ${kind}`;
  const previous = ui.classIndex.value;
  ui.classIndex.replaceChildren(new Option('seed mod classes', 'auto'),
    ...Array.from({ length: loaded.labelDim }, (_, c) => new Option(String(c), String(c))));
  ui.classIndex.value = Number(previous) < loaded.labelDim ? previous : 'auto';
  ui.classIndex.disabled = loaded.labelDim === 0;
  updateCliLine();
}

/**
 * Makes `loaded` the autoguidance guide of the loaded network; refuses (and disposes) a guide that does not
 * make the network's images.
 */
function useGuide(loaded: LoadedNetwork, name: string, bytes: number): void {
  try {
    checkGuide(net!, netName, loaded, name);
  } catch (e) {
    loaded.dispose();
    throw e;
  }
  guide?.dispose();
  guide = loaded;
  guideName = name;
  ui.guide.textContent = `${name} (${(bytes / 1e6).toFixed(2)} MB): ${describeImages(loaded)}; ` +
    'D = w D_model + (1 - w) D_guide';
}

async function loadShipped(): Promise<void> {
  if (!shipped) {
    ui.model.textContent = 'No checkpoint was shipped with this build: choose a .safetensors file.';
    setState('ready');
    return;
  }
  setState('loading');
  ui.model.textContent = `loading ${shipped.name}…`;
  try {
    useNetwork(await loadCheckpointUrl(shipped.path, shipped.name), shipped.name, shipped.bytes);
  } catch (e) {
    ui.model.textContent = 'none';
    showError(message(e));
    return;
  }
  if (shipped.guide) {
    // The model samples without it if it fails: a note in the guide line, not an error state.
    ui.guide.textContent = `loading ${shipped.guide.name}…`;
    try {
      useGuide(await loadCheckpointUrl(shipped.guide.path, shipped.guide.name), shipped.guide.name, shipped.guide.bytes);
      ui.guidance.value = String(shipped.guidance);
      updateCliLine();
    } catch (e) {
      dropGuide(`none: the shipped guide did not load: ${message(e)}`);
    }
  }
  setState('ready');
}

async function loadFile(file: File): Promise<void> {
  clearError();
  setState('loading');
  try {
    useNetwork(await loadCheckpointFile(file), file.name, file.size);
    setState('ready');
  } catch (e) {
    ui.file.value = ''; // the picker should not name a file that was not loaded
    showError(`${message(e)}${net ? `\nStill using ${netName}.` : ''}`);
  }
}

async function loadGuide(file: File): Promise<void> {
  if (!net) return;
  clearError();
  setState('loading');
  try {
    useGuide(await loadCheckpointFile(file), file.name, file.size);
    updateCliLine();
    setState('ready');
  } catch (e) {
    ui.guideFile.value = '';
    showError(`${message(e)}${guide ? `\nStill guided by ${guideName}.` : ''}`);
  }
}

async function sample(): Promise<void> {
  if (!net || !backend || running) return;
  clearError();
  let settings;
  try {
    settings = parseSettings(readRaw(), net.labelDim);
  } catch (e) {
    showError(message(e));
    return;
  }
  const shape = { n: settings.batch, size: net.imgResolution, channels: net.imgChannels };
  const controller = new AbortController();
  running = controller;
  setState('sampling');
  const steps = stepsOf(settings);
  const stepsText = Number.isNaN(steps) ? 'adaptive steps' : `${steps} steps`;
  if (Number.isNaN(steps)) ui.progress.removeAttribute('value'); // indeterminate: the sampler picks its steps
  else {
    ui.progress.max = steps;
    ui.progress.value = 0;
  }
  ui.step.textContent = `Sampling ${settings.batch} image(s), ${stepsText}…`;
  const t0 = performance.now();
  const seconds = () => ((performance.now() - t0) / 1000).toFixed(1);
  const timer = setInterval(() => { ui.time.textContent = `${seconds()} s on ${backend!.backend}.`; }, 200);
  let done = 0;
  try {
    const x = await generate(net, settings, {
      signal: controller.signal,
      ...(guide && { guide }),
      onStep: async ({ i, sigma, sigmaNext, denoised }) => {
        done = i + 1;
        drawGrid(ui.canvas, denoised, shape);
        if (!Number.isNaN(steps)) ui.progress.value = done;
        ui.step.textContent = `Step ${done}${Number.isNaN(steps) ? '' : `/${steps}`}: sigma ${fmtSigma(sigma)} → ${fmtSigma(sigmaNext)} (denoised estimate shown)`;
        ui.time.textContent = `${seconds()} s on ${backend!.backend}.`;
        // Let the browser paint the preview and handle a Cancel click before the next step.
        await new Promise<void>((resolve) => { requestAnimationFrame(() => resolve()); setTimeout(resolve, 50); });
      },
    });
    drawGrid(ui.canvas, x, shape);
    ui.step.textContent = `Done: ${settings.batch} image(s), ${Number.isNaN(steps) ? `${done} adaptive steps` : stepsText} (final x_N shown).`;
    ui.time.textContent = `Total ${seconds()} s on ${backend.backend}.`;
    setState('done');
  } catch (e) {
    if (e instanceof SamplerAbortedError || controller.signal.aborted) {
      ui.step.textContent = `Cancelled after ${done} of ${stepsText}.`;
      ui.time.textContent = `${seconds()} s on ${backend.backend}.`;
      setState('cancelled');
    } else {
      showError(`Sampling failed: ${message(e)}`);
    }
  } finally {
    clearInterval(timer);
    running = null;
    setState((document.body.dataset.state as PageState | undefined) ?? 'ready');
  }
}

async function start(): Promise<void> {
  for (const c of SAMPLERS) ui.sampler.add(new Option(`${c.name}: ${c.label}`, c.name));
  ui.sampler.value = DEFAULT_SAMPLER;
  renderOptions();
  ui.sampler.addEventListener('change', () => { renderOptions(); updateCliLine(); });
  ui.form.addEventListener('submit', (ev) => { ev.preventDefault(); void sample(); });
  ui.cancel.addEventListener('click', () => running?.abort());
  ui.form.addEventListener('input', updateCliLine);
  ui.file.addEventListener('change', () => {
    const file = ui.file.files?.[0];
    if (file) void loadFile(file);
  });
  ui.guideFile.addEventListener('change', () => {
    const file = ui.guideFile.files?.[0];
    if (file) void loadGuide(file);
  });
  ui.guideClear.addEventListener('click', () => { dropGuide(); updateCliLine(); setState('ready'); });
  try {
    backend = await startBackend(backendParams(location.search));
    ui.backend.textContent = backend.summary;
  } catch (e) {
    ui.backend.textContent = 'none';
    showError(`No compute backend: ${message(e)}\nThis page needs WebGPU, WebAssembly or WebGL 2 (enable hardware acceleration, or try another browser).`);
    return;
  }
  await loadShipped();
}

void start();
