// edm: the command-line tool (train, generate, dataset, info, bench).
import '@edm/core';

console.log('edm: no commands yet');
