// The mobile workbench (/m): WeCom's app home page for frontline staff, built with antd-mobile
// for a 375 px screen. Three tabs (我的客户 / 今日待办 / 优先跟进) and a customer's page; the
// route is lazy-loaded so antd-mobile never enters the desktop console's bundle.
import type { ReactNode } from 'react'
import { Route, Routes, useSearchParams } from 'react-router-dom'
import { CheckSquareOutlined, FireOutlined, TeamOutlined } from '@ant-design/icons'
import { ConfigProvider, NavBar, SafeArea, TabBar } from 'antd-mobile'
import zhCN from 'antd-mobile/es/locales/zh-CN'
import enUS from 'antd-mobile/es/locales/en-US'
import { useI18n } from '../../i18n'
import AttentionTab from './Attention'
import CustomerView from './CustomerView'
import MyCustomers from './MyCustomers'
import TodayTab from './Today'

const TABS: { key: string; title: [string, string]; icon: ReactNode }[] = [
  { key: 'customers', title: ['我的客户', 'My customers'], icon: <TeamOutlined /> },
  { key: 'today', title: ['今日待办', 'Today'], icon: <CheckSquareOutlined /> },
  { key: 'attention', title: ['优先跟进', 'Attention first'], icon: <FireOutlined /> },
]

function Tabs() {
  const { tr, lang, setLang } = useI18n()
  const [params, setParams] = useSearchParams()
  const tab = TABS.find((t) => t.key === params.get('tab'))?.key ?? 'customers'
  const title = TABS.find((t) => t.key === tab)!.title
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100vh' }}>
      <NavBar
        back={null}
        right={
          <a onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} data-testid="wb-lang">
            {lang === 'zh' ? 'EN' : '中文'}
          </a>
        }
      >
        {tr(...title)}
      </NavBar>
      <div style={{ flex: 1, overflowY: 'auto', background: '#f5f5f5' }}>
        {tab === 'customers' && <MyCustomers />}
        {tab === 'today' && <TodayTab />}
        {tab === 'attention' && <AttentionTab />}
      </div>
      <TabBar activeKey={tab} onChange={(key) => setParams({ tab: key }, { replace: true })} style={{ borderTop: '1px solid #eee', background: '#fff' }}>
        {TABS.map((t) => (
          <TabBar.Item key={t.key} icon={<span data-testid={`wb-tab-${t.key}`}>{t.icon}</span>} title={tr(...t.title)} />
        ))}
      </TabBar>
      <SafeArea position="bottom" />
    </div>
  )
}

export default function WorkbenchPage() {
  const { lang } = useI18n()
  return (
    <ConfigProvider locale={lang === 'zh' ? zhCN : enUS}>
      <Routes>
        <Route path="customers/:id" element={<CustomerView />} />
        <Route path="*" element={<Tabs />} />
      </Routes>
    </ConfigProvider>
  )
}
