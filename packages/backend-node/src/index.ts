// @edm/backend-node (being built; see the project issues).
export {};
