/** The run form's "Pause before entry" checkbox (the debug terminal's way to catch a task before its entry). */
export function DebugPauseField() {
  return (
    <div className="flex items-start gap-2">
      <input id="field-debug-pause" type="checkbox" name="debugPause" className="mt-1" aria-describedby="field-debug-pause-hint" />
      <div>
        <label htmlFor="field-debug-pause" className="label">Pause before entry</label>
        <p id="field-debug-pause-hint" className="hint">
          Each tool task waits before running its entry until you open its debug terminal on the run page and press Continue. The wait counts toward the task&apos;s time limit; tasks
          under a grant or holding a secret cannot be debugged and do not wait.
        </p>
      </div>
    </div>
  );
}
