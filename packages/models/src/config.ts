// The network configuration of a checkpoint (`edm.network`): {class_name, kwargs} with the reference
// constructor's keyword names, e.g. {"class_name": "EDMPrecond", "kwargs": {"img_resolution": 32,
// "img_channels": 3, "model_type": "SongUNet", "model_channels": 128, ...}}. The preconditioning takes its
// own kwargs; everything else goes to the backbone (`model_type`), as in training/networks.py.
import type { PrecondClassName } from '@edm/core';
import { DHARIWAL_UNET_KWARGS } from './networks/dhariwal-unet';
import { EDM2_UNET_KWARGS } from './networks/edm2-unet';
import { boolKwarg, enumKwarg, intKwarg, numKwarg } from './networks/kwargs';
import { SONG_UNET_KWARGS } from './networks/song-unet';

/**
 * Preconditioning class names of the reference (EDM paper Table 1; EDM2's `training.networks_edm2.Precond`,
 * whose backbone is always its own U-Net): @edm/core's, where the preconditionings are.
 */
export type { PrecondClassName };
/** Backbone class names of the reference ('EDM2UNet': networks_edm2.py's UNet, implied by the EDM2 class). */
export type ModelType = 'SongUNet' | 'DhariwalUNet' | 'EDM2UNet';

/** The class_name of EDM2 networks (NVlabs/edm2 training/networks_edm2.py `Precond`). */
export const EDM2_CLASS = 'training.networks_edm2.Precond' satisfies PrecondClassName;

/** A network configuration, exactly as stored in a checkpoint's `edm.network` metadata. */
export interface NetworkConfig {
  /** Preconditioning class (`class_name`). */
  class_name: PrecondClassName;
  /** Keyword arguments of the preconditioning constructor, including `model_type` and the backbone's kwargs. */
  kwargs: Record<string, unknown>;
}

export const PRECOND_CLASSES: readonly PrecondClassName[] = ['EDMPrecond', 'VPPrecond', 'VEPrecond', 'iDDPMPrecond', EDM2_CLASS];
const MODEL_TYPES: readonly ModelType[] = ['SongUNet', 'DhariwalUNet'];

const COMMON = ['img_resolution', 'img_channels', 'label_dim', 'use_fp16', 'model_type'] as const;
/** The preconditioning's own kwargs, per class. */
export const PRECOND_KWARGS: Record<PrecondClassName, readonly string[]> = {
  EDMPrecond: [...COMMON, 'sigma_min', 'sigma_max', 'sigma_data'],
  VPPrecond: [...COMMON, 'beta_d', 'beta_min', 'M', 'epsilon_t'],
  VEPrecond: [...COMMON, 'sigma_min', 'sigma_max'],
  iDDPMPrecond: [...COMMON, 'C_1', 'C_2', 'M'],
  [EDM2_CLASS]: ['img_resolution', 'img_channels', 'label_dim', 'use_fp16', 'sigma_data', 'logvar_channels'],
};
const DEFAULT_MODEL_TYPE: Record<Exclude<PrecondClassName, typeof EDM2_CLASS>, ModelType> = {
  EDMPrecond: 'DhariwalUNet', VPPrecond: 'SongUNet', VEPrecond: 'SongUNet', iDDPMPrecond: 'DhariwalUNet',
};
/** Backbone kwargs set by the preconditioning itself (not allowed in the config). */
const SET_BY_PRECOND = ['img_resolution', 'in_channels', 'out_channels', 'label_dim'];

/** A parsed configuration: preconditioning options (camelCase, for @edm/core) and backbone kwargs. */
export interface ResolvedConfig {
  className: PrecondClassName;
  modelType: ModelType;
  /** Options for the @edm/core preconditioning constructor. */
  precond: Record<string, number | boolean>;
  /** Backbone kwargs (reference names), with img_resolution, in/out_channels and label_dim filled in. */
  model: Record<string, unknown>;
}

/** Validates a configuration; throws naming the field, the allowed values and what was given. */
export function resolveConfig(config: unknown): ResolvedConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new Error(`network config must be an object {class_name, kwargs}, got ${JSON.stringify(config)}`);
  }
  const c = config as { class_name?: unknown; kwargs?: unknown };
  for (const key of Object.keys(c)) {
    if (key !== 'class_name' && key !== 'kwargs') throw new Error(`network config: unknown field '${key}' (allowed: class_name, kwargs)`);
  }
  if (typeof c.class_name !== 'string' || !(PRECOND_CLASSES as readonly string[]).includes(c.class_name)) {
    throw new Error(`network config: unknown class_name ${JSON.stringify(c.class_name)} (allowed: ${PRECOND_CLASSES.join(', ')})`);
  }
  const className = c.class_name as PrecondClassName;
  if (c.kwargs === null || typeof c.kwargs !== 'object' || Array.isArray(c.kwargs)) {
    throw new Error(`${className}: kwargs must be an object, got ${JSON.stringify(c.kwargs)}`);
  }
  const kwargs = c.kwargs as Record<string, unknown>;
  if (className === EDM2_CLASS) return resolveEDM2Config(kwargs);
  const w = className;
  const modelType = enumKwarg(w, 'model_type', kwargs.model_type ?? DEFAULT_MODEL_TYPE[className], MODEL_TYPES);
  const modelAllowed = (modelType === 'SongUNet' ? SONG_UNET_KWARGS : DHARIWAL_UNET_KWARGS)
    .filter((k) => !SET_BY_PRECOND.includes(k));
  const model = backboneKwargs(w, kwargs, PRECOND_KWARGS[className], modelAllowed, ` for model_type ${modelType}`);
  const { imgResolution, imgChannels, labelDim, precond } = interfaceKwargs(w, kwargs);
  const num = (key: string, to: string, min = -Infinity) => {
    if (kwargs[key] !== undefined) precond[to] = numKwarg(w, key, kwargs[key], min);
  };
  switch (className) {
    case 'EDMPrecond': num('sigma_min', 'sigmaMin', 0); num('sigma_max', 'sigmaMax', 0); num('sigma_data', 'sigmaData', 0); break;
    case 'VPPrecond': num('beta_d', 'betaD', 0); num('beta_min', 'betaMin', 0); num('M', 'M', 1); num('epsilon_t', 'epsilonT', 0); break;
    case 'VEPrecond': num('sigma_min', 'sigmaMin', 0); num('sigma_max', 'sigmaMax', 0); break;
    case 'iDDPMPrecond': num('C_1', 'C1', 0); num('C_2', 'C2', 0); num('M', 'M', 1); break;
  }
  const outChannels = className === 'iDDPMPrecond' ? 2 * imgChannels : imgChannels;
  return {
    className, modelType, precond,
    model: { img_resolution: imgResolution, in_channels: imgChannels, out_channels: outChannels, label_dim: labelDim, ...model },
  };
}

/** The kwargs that are not the preconditioning's own (`own`), each checked against the backbone's (`allowed`). */
function backboneKwargs(
  w: string, kwargs: Record<string, unknown>, own: readonly string[], allowed: readonly string[], what: string,
): Record<string, unknown> {
  const model: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    if (own.includes(key)) continue;
    if (!allowed.includes(key)) throw new Error(`${w}: unknown kwarg '${key}'${what} (allowed: ${[...own, ...allowed].join(', ')})`);
    model[key] = value;
  }
  return model;
}

/** The kwargs every preconditioning takes: image size, channels, classes, use_fp16 (accepted, ignored). */
function interfaceKwargs(w: string, kwargs: Record<string, unknown>) {
  const imgResolution = intKwarg(w, 'img_resolution', kwargs.img_resolution, 1);
  const imgChannels = intKwarg(w, 'img_channels', kwargs.img_channels, 1);
  const labelDim = intKwarg(w, 'label_dim', kwargs.label_dim ?? 0);
  const precond: Record<string, number | boolean> = { imgResolution, imgChannels, labelDim };
  if (kwargs.use_fp16 !== undefined) precond.useFp16 = boolKwarg(w, 'use_fp16', kwargs.use_fp16);
  return { imgResolution, imgChannels, labelDim, precond };
}

/**
 * EDM2: the Precond's own kwargs (sigma_data, logvar_channels; use_fp16 accepted and ignored), everything else
 * goes to its U-Net, with img_resolution, img_channels and label_dim passed on.
 */
function resolveEDM2Config(kwargs: Record<string, unknown>): ResolvedConfig {
  const w = EDM2_CLASS;
  const own = PRECOND_KWARGS[EDM2_CLASS];
  const model = backboneKwargs(w, kwargs, own, EDM2_UNET_KWARGS.filter((k) => !own.includes(k)), '');
  const { imgResolution, imgChannels, labelDim, precond } = interfaceKwargs(w, kwargs);
  if (kwargs.sigma_data !== undefined) precond.sigmaData = numKwarg(w, 'sigma_data', kwargs.sigma_data, 0);
  precond.logvarChannels = intKwarg(w, 'logvar_channels', kwargs.logvar_channels ?? 128, 1);
  return {
    className: EDM2_CLASS, modelType: 'EDM2UNet', precond,
    model: { img_resolution: imgResolution, img_channels: imgChannels, label_dim: labelDim, ...model },
  };
}

// JSON with Python's non-finite numbers (json.dumps writes Infinity, -Infinity, NaN bare).
const NONFINITE = '__edm_nonfinite__:';

/** JSON.parse that also accepts Python's bare Infinity / -Infinity / NaN. */
export function parsePythonJson(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?Infinity|NaN/g, (m) => (m.startsWith('"') ? m : `"${NONFINITE}${m}"`));
  return JSON.parse(marked, (_k, v) => (typeof v === 'string' && v.startsWith(NONFINITE) ? Number(v.slice(NONFINITE.length)) : v));
}

/** JSON.stringify writing non-finite numbers bare, as Python's json.dumps does. */
export function stringifyPythonJson(value: unknown): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `${NONFINITE}${v}` : v));
  return text.replace(new RegExp(`"${NONFINITE}(-?Infinity|NaN)"`, 'g'), '$1');
}
