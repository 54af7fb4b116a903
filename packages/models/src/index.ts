// @edm/models (being built; see the project issues).
export {};
