"""The official Jupyter kernel conformance suite (jupyter_kernel_test) for the Lepton kernel.

Run with Debian's python3 (python3-jupyter-kernel-test); test/src/kernel/conformance.test.ts runs it under npm test.
"""
import unittest

import jupyter_kernel_test


class LeptonKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "lepton"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("some error")'

    completion_samples = [
        {"text": "Math.ab", "matches": {"abs"}},
        {"text": "lepton.versi", "matches": {"version"}},
    ]
    complete_code_samples = ["1", "const x = 1", "function f() { return 1 }"]
    incomplete_code_samples = ["function f() {", "const a = [1,"]

    code_page_something = None
    code_generate_error = 'throw new Error("expected")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
    ]
    code_display_data = [
        {"code": 'display({ [Symbol.for("Jupyter.display")]: () => ({ "text/html": "<b>hi</b>" }) })', "mime": "text/html"},
        {"code": 'display("plain")', "mime": "text/plain"},
    ]
    code_inspect_sample = "Math.max"
    code_clear_output = "display.clear()"
    code_history_pattern = None
    supported_history_operations = ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The suite gives every request 15 s. A kernel's first cell also warms the TypeScript checker and loads the
        # preloaded library's types, which on a loaded 2-core machine has taken about that long: run one cell first,
        # with room, so each test measures the protocol and not that one-time start.
        cls.kc.execute_interactive("1", timeout=120, output_hook=lambda msg: None)


if __name__ == "__main__":
    unittest.main()
