# Runs the VS Code extension's `npm run ci` (tsc --noEmit, node tests, esbuild bundle, vsce package) for ctest.
# Arguments: -DNPM=<npm> -DDIR=<editors/vscode>.
if(NOT EXISTS ${DIR}/node_modules/.package-lock.json)
  message(FATAL_ERROR "editors/vscode/node_modules is missing: run `npm ci` in ${DIR} (scripts/setup does)")
endif()
execute_process(COMMAND ${NPM} run ci WORKING_DIRECTORY ${DIR} RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "npm run ci failed in ${DIR} (${result})")
endif()
