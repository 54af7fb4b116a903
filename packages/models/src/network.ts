// A preconditioned network (@edm/core Denoiser) plus what tools need to train, save and inspect it:
// named parameters (the reference's state_dict keys), parameter count and the checkpoint configuration.
import * as tf from '@tensorflow/tfjs-core';
import {
  EDM2Precond, EDMPrecond, IDDPMPrecond, VEPrecond, VPPrecond,
  type Backbone, type Denoiser, type ForwardOptions,
} from '@edm/core';
import { resolveConfig, type NetworkConfig, type PrecondClassName } from './config';
import { Rng } from './layers/init';
import { ParamStore, type ParamSpec } from './layers/param-store';
import { DhariwalUNet } from './networks/dhariwal-unet';
import { EDM2UNet } from './networks/edm2-unet';
import { EDM2Uncertainty } from './networks/edm2-uncertainty';
import { SongUNet } from './networks/song-unet';

/**
 * The preconditioning object of @edm/core wrapped by a {@link Network} (a union of @edm/core's classes; named
 * apart from @edm/core's base class `Precond`).
 */
export type NetworkPrecond = EDMPrecond | VPPrecond | VEPrecond | IDDPMPrecond | EDM2Precond;
/** The backbones a {@link Network} can hold. */
export type NetworkBackbone = SongUNet | DhariwalUNet | EDM2UNet;

/** What a network offers beyond the Denoiser contract. */
export interface NetworkHandle {
  /** The checkpoint configuration `{class_name, kwargs}` (kwargs as given, defaults not filled in). */
  readonly config: NetworkConfig;
  /** Preconditioning class name. */
  readonly className: PrecondClassName;
  /** The backbone F_theta (SongUNet, DhariwalUNet or the EDM2 U-Net). */
  readonly model: NetworkBackbone;
  /** The @edm/core preconditioning that computes D from F. */
  readonly precond: NetworkPrecond;
  /** Trainable parameters by state_dict key (e.g. `model.enc.8x8_conv.weight`), in our layouts (HWIO, [in, out]). */
  parameters(): Map<string, tf.Variable>;
  /** Every state_dict tensor (parameters and buffers) by key, in the reference's order, in our layouts. */
  tensors(): Map<string, tf.Variable>;
  /** The declarations: key, PyTorch shape, layout, trainable. */
  specs(): ParamSpec[];
  /** Number of trainable scalars. */
  parameterCount(): number;
  /** Frees every tensor of the network. */
  dispose(): void;
}

/** Options of {@link createNetwork}. */
export interface CreateNetworkOptions {
  /** Seed of the weight initialisation (and NCSN++ Fourier frequencies). Default 0. */
  seed?: number;
}

/** The preconditioning buffer `u` of iDDPMPrecond is part of the state_dict. */
export const IDDPM_U_KEY = 'u';

/** A preconditioned U-Net: implements Denoiser by delegating to its @edm/core preconditioning. */
export class Network implements Denoiser, NetworkHandle {
  readonly className: PrecondClassName;
  /** EDM2's uncertainty u(sigma) [N] (eq. 21 of Karras et al. 2024); undefined for the other networks. */
  readonly logvar?: (sigma: tf.Tensor, options?: ForwardOptions) => tf.Tensor1D;

  /** @internal Use createNetwork / loadNetwork. */
  constructor(
    readonly config: NetworkConfig, readonly model: NetworkBackbone, readonly precond: NetworkPrecond,
    /** @internal */ readonly store: ParamStore,
  ) {
    this.className = precond.className;
    if (precond instanceof EDM2Precond && precond.uncertainty) {
      this.logvar = (sigma, options) => precond.logvar(sigma, options);
    }
  }

  get sigmaMin(): number { return this.precond.sigmaMin; }
  get sigmaMax(): number { return this.precond.sigmaMax; }
  get sigmaData(): number | undefined { return this.precond.sigmaData; }
  get imgResolution(): number { return this.precond.imgResolution; }
  get imgChannels(): number { return this.precond.imgChannels; }
  get labelDim(): number { return this.precond.labelDim; }

  roundSigma(sigma: number): number {
    return this.precond.roundSigma(sigma);
  }

  forward(
    x: tf.Tensor4D, sigma: number | tf.Tensor, classLabels?: tf.Tensor2D | null, augmentLabels?: tf.Tensor2D | null,
    options?: ForwardOptions,
  ): tf.Tensor4D {
    return this.precond.forward(x, sigma, classLabels, augmentLabels, options);
  }

  parameters(): Map<string, tf.Variable> { return this.store.parameters(); }
  tensors(): Map<string, tf.Variable> { return this.store.tensors(); }
  specs(): ParamSpec[] { return this.store.list(); }
  parameterCount(): number { return this.store.parameterCount(); }
  dispose(): void { this.store.dispose(); }
}

/**
 * Builds the network for a configuration with every tensor declared but none allocated
 * (call `network.store.materialize(...)`). Allocates nothing, so a failure leaves nothing behind. A loader
 * passes `maxTensors` (the tensors its file holds): a config declaring more fails at once.
 * @internal
 */
export function declareNetwork(config: NetworkConfig, seed = 0, maxTensors = Infinity): Network {
  const r = resolveConfig(config);
  const store = new ParamStore(maxTensors);
  const ctx = { store, rng: new Rng(seed) };
  const opts = r.precond as { imgResolution: number; imgChannels: number } & Record<string, number | boolean>;
  if (r.className === 'training.networks_edm2.Precond') {
    // The reference's state_dict: the U-Net's tensors (`unet.*`), then the uncertainty head's.
    const unet = new EDM2UNet(ctx, 'unet.', r.model);
    const head = new EDM2Uncertainty(ctx, opts.logvarChannels as number);
    const precond = new EDM2Precond(unet, opts, head);
    return new Network({ class_name: config.class_name, kwargs: { ...config.kwargs } }, unet, precond, store);
  }
  const backbone: Backbone & (SongUNet | DhariwalUNet) = r.modelType === 'SongUNet'
    ? new SongUNet(ctx, 'model.', r.model)
    : new DhariwalUNet(ctx, 'model.', r.model);
  let precond: NetworkPrecond;
  switch (r.className) {
    case 'EDMPrecond': precond = new EDMPrecond(backbone, opts); break;
    case 'VPPrecond': precond = new VPPrecond(backbone, opts); break;
    case 'VEPrecond': precond = new VEPrecond(backbone, opts); break;
    case 'iDDPMPrecond': precond = new IDDPMPrecond(backbone, opts); break;
  }
  if (precond instanceof IDDPMPrecond) {
    // The reference registers `u` on the preconditioning, before the model's tensors in its state_dict.
    const u = Float32Array.from(precond.u);
    store.declare({ name: IDDPM_U_KEY, torchShape: [u.length], layout: 'same', trainable: false, init: () => u }, true);
  }
  return new Network({ class_name: config.class_name, kwargs: { ...config.kwargs } }, backbone, precond, store);
}

/**
 * Creates a network with the reference's weight initialisation (seeded).
 * `config` is `{class_name, kwargs}` as in a checkpoint's `edm.network`.
 */
export function createNetwork(config: NetworkConfig, options: CreateNetworkOptions = {}): Network {
  const net = declareNetwork(config, options.seed ?? 0);
  net.store.materialize();
  return net;
}
