// Compile one Solidity source with the npm `solc` package (standard JSON, optimizer on).
// stdin: {"source": "...", "contract": "Name"}; stdout: {"abi": [...], "bytecode": "0x..",
// "deployedBytecode": "0x..", "version": "..."}; compiler errors go to stderr, exit 1.
'use strict';
const solc = require('solc');

let raw = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { raw += chunk; });
process.stdin.on('end', () => {
  const req = JSON.parse(raw);
  const input = {
    language: 'Solidity',
    sources: { 'Verifier.sol': { content: req.source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) {
    process.stderr.write(errors.map((e) => e.formattedMessage).join('\n'));
    process.exit(1);
  }
  const c = out.contracts['Verifier.sol'][req.contract];
  process.stdout.write(JSON.stringify({
    abi: c.abi,
    bytecode: '0x' + c.evm.bytecode.object,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    version: solc.version(),
    warnings: (out.errors || []).map((e) => e.formattedMessage),
  }));
});
