import { useCallback, useEffect, useState } from 'react'
import { App } from 'antd'

/** Load data once (and on `reload()`); errors become a readable message. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(true)
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps)
  const reload = useCallback(async () => {
    setLoading(true)
    try {
      setData(await run())
      setError(null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setLoading(false)
    }
  }, [run])
  useEffect(() => {
    void reload()
  }, [reload])
  return { data, error, loading, reload, setData }
}

/** Run an action, showing success or the API's error message. */
export function useAction() {
  const { message } = App.useApp()
  return useCallback(
    async <T,>(fn: () => Promise<T>, ok?: string): Promise<T | undefined> => {
      try {
        const result = await fn()
        if (ok) message.success(ok)
        return result
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e))
        return undefined
      }
    },
    [message],
  )
}
