// @edm/backend-webgpu (being built; see the project issues).
export {};
