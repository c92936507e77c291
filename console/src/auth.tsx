// Who is signed in (GET /auth/me); pages read the role to show what the API allows.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react'
import { ApiError, get, post, type Me } from './api'

interface Auth {
  me: Me | null
  loading: boolean
  reload: () => Promise<void>
  logout: () => Promise<void>
}

const Ctx = createContext<Auth>({ me: null, loading: true, reload: async () => {}, logout: async () => {} })

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null)
  const [loading, setLoading] = useState(true)
  const reload = useCallback(async () => {
    try {
      setMe(await get<Me | null>('/auth/session'))
    } catch (e) {
      console.warn(e instanceof ApiError ? e.message : e)
      setMe(null)
    } finally {
      setLoading(false)
    }
  }, [])
  const logout = useCallback(async () => {
    await post('/auth/logout')
    setMe(null)
  }, [])
  useEffect(() => {
    void reload()
  }, [reload])
  return <Ctx.Provider value={{ me, loading, reload, logout }}>{children}</Ctx.Provider>
}

export const useAuth = () => useContext(Ctx)
