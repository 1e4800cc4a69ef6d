/** Contract C: the synthetic compressor audio generator's public surface. */
export { type ClipInfo, type ClipSpec, renderClip, SynthError, synthesizeClip } from './clip.ts';
export { type DatasetOptions, generateDataset, type Layout, type Manifest, resolveOptions } from './dataset.ts';
export { FAULT_IDS, FAULTS, type FaultId, isFaultId } from './faults.ts';
export { type CompressorKind, type MachineParams, rotationHz, sampleMachine } from './machine.ts';
