// zh-CN by default, English on demand; the choice is kept in localStorage.
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react'
import { ConfigProvider } from 'antd'
import zhCN from 'antd/locale/zh_CN'
import enUS from 'antd/locale/en_US'
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'

export type Lang = 'zh' | 'en'

interface I18n {
  lang: Lang
  setLang: (lang: Lang) => void
  /** the text in the current language: tr('客户', 'Customers') */
  tr: (zh: string, en: string) => string
}

const Ctx = createContext<I18n>({ lang: 'zh', setLang: () => {}, tr: (zh) => zh })

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => (localStorage.getItem('siyu.lang') === 'en' ? 'en' : 'zh'))
  const value = useMemo<I18n>(() => {
    dayjs.locale(lang === 'zh' ? 'zh-cn' : 'en')
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en'
    return {
      lang,
      setLang: (l: Lang) => {
        localStorage.setItem('siyu.lang', l)
        setLangState(l)
      },
      tr: (zh: string, en: string) => (lang === 'zh' ? zh : en),
    }
  }, [lang])
  return (
    <Ctx.Provider value={value}>
      <ConfigProvider locale={lang === 'zh' ? zhCN : enUS} theme={{ token: { colorPrimary: '#07c160' } }}>
        {children}
      </ConfigProvider>
    </Ctx.Provider>
  )
}

export const useI18n = () => useContext(Ctx)

/** A time zone's name as a person reads it: Asia/Shanghai is 中国标准时间 / China Standard Time. */
export function zoneName(tz: string, lang: Lang): string {
  try {
    const parts = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', { timeZone: tz, timeZoneName: 'long' }).formatToParts(new Date())
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? tz
  } catch {
    return tz
  }
}

export function fmtTime(value: string | null | undefined): string {
  return value ? dayjs(value).format('YYYY-MM-DD HH:mm') : '—'
}
