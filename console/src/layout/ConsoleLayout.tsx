import { useState } from 'react'
import { Outlet, useLocation, useNavigate } from 'react-router-dom'
import { Button, Dropdown, Grid, Layout, Menu, Segmented, Space, Tag, Typography } from 'antd'
import {
  ApartmentOutlined,
  ClockCircleOutlined,
  DashboardOutlined,
  FlagOutlined,
  FileTextOutlined,
  LogoutOutlined,
  MenuOutlined,
  MessageOutlined,
  NotificationOutlined,
  QrcodeOutlined,
  ScheduleOutlined,
  ClusterOutlined,
  SettingOutlined,
  SyncOutlined,
  TagsOutlined,
  TeamOutlined,
  UserOutlined,
  UserSwitchOutlined,
  WechatOutlined,
} from '@ant-design/icons'
import { useAuth } from '../auth'
import { useI18n } from '../i18n'

export const ROLE_NAMES: Record<string, [string, string]> = {
  admin: ['管理员', 'Admin'],
  operator: ['运营', 'Operator'],
  manager: ['主管', 'Manager'],
  staff: ['员工', 'Staff'],
  integrator: ['API 密钥', 'API key'],
}

export default function ConsoleLayout() {
  const { me, logout } = useAuth()
  const { tr, lang, setLang } = useI18n()
  const navigate = useNavigate()
  const location = useLocation()
  const screens = Grid.useBreakpoint()
  const mobile = !screens.md
  const [collapsed, setCollapsed] = useState(false)
  const items = [
    { key: '/', icon: <DashboardOutlined />, label: tr('数据概览', 'Dashboard') },
    { key: '/customers', icon: <UserOutlined />, label: tr('客户', 'Customers') },
    // every role: overdue follow-ups within the data scope
    { key: '/follow-ups', icon: <ClockCircleOutlined />, label: tr('逾期跟进', 'Overdue follow-ups') },
    { key: '/tags', icon: <TagsOutlined />, label: tr('企业标签', 'Tags') },
    // every role: managers and staff work on them within their data scope
    { key: '/channel-codes', icon: <QrcodeOutlined />, label: tr('渠道活码', 'Channel codes') },
    ...(me?.full_access
      ? [
          { key: '/group-codes', icon: <QrcodeOutlined />, label: tr('群活码', 'Group codes') },
          { key: '/ownership', icon: <UserSwitchOutlined />, label: tr('流失与撞单', 'Losses & collisions') },
        ]
      : []),
    { key: '/segments', icon: <ClusterOutlined />, label: tr('客户分群', 'Segments') },
    { key: '/broadcasts', icon: <NotificationOutlined />, label: tr('群发', 'Broadcasts') },
    ...(me?.full_access
      ? [
          { key: '/sop', icon: <ScheduleOutlined />, label: tr('SOP', 'SOPs') },
          { key: '/content', icon: <FileTextOutlined />, label: tr('素材库', 'Content') },
        ]
      : []),
    // every role: staff read the corp's phrases and keep their own
    { key: '/phrases', icon: <MessageOutlined />, label: tr('话术库', 'Reply library') },
    { key: '/tasks', icon: <FlagOutlined />, label: tr('营销任务', 'Tasks') },
    { key: '/groups', icon: <WechatOutlined />, label: tr('客户群', 'Group chats') },
    { key: '/employees', icon: <TeamOutlined />, label: tr('员工与部门', 'Employees') },
    ...(me?.full_access ? [{ key: '/sync', icon: <SyncOutlined />, label: tr('同步', 'Sync') }] : []),
    ...(me?.is_admin ? [{ key: '/settings', icon: <SettingOutlined />, label: tr('设置', 'Settings') }] : []),
  ]
  const role = ROLE_NAMES[me?.role ?? 'staff']
  const menu = (
    <Menu
      theme="dark"
      mode="inline"
      selectedKeys={[`/${location.pathname.split('/')[1]}`]}
      items={items}
      onClick={({ key }) => {
        navigate(key)
        if (mobile) setCollapsed(true)
      }}
    />
  )
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider
        breakpoint="md"
        collapsedWidth={mobile ? 0 : 80}
        collapsed={collapsed}
        onCollapse={setCollapsed}
        trigger={null}
        style={mobile ? { position: 'fixed', zIndex: 20, height: '100vh' } : undefined}
      >
        <div style={{ color: '#fff', fontSize: 18, fontWeight: 600, padding: '16px 20px', whiteSpace: 'nowrap' }}>
          <ApartmentOutlined /> {collapsed && !mobile ? '' : tr('私域 SCRM', 'Siyu SCRM')}
        </div>
        {menu}
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{ background: '#fff', padding: '0 16px', display: 'flex', alignItems: 'center', gap: 12 }}
        >
          <Button type="text" icon={<MenuOutlined />} onClick={() => setCollapsed(!collapsed)} aria-label="menu" />
          <Typography.Text strong ellipsis style={{ flex: 1 }}>
            {me?.corp_name}
          </Typography.Text>
          <Space>
            <Segmented
              size="small"
              value={lang}
              onChange={(v) => setLang(v as 'zh' | 'en')}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'EN', value: 'en' },
              ]}
            />
            <Dropdown
              menu={{
                items: [
                  {
                    key: 'logout',
                    icon: <LogoutOutlined />,
                    label: tr('退出登录', 'Sign out'),
                    onClick: async () => {
                      await logout()
                      navigate('/login')
                    },
                  },
                ],
              }}
            >
              <Button type="text" data-testid="user-menu">
                <UserOutlined /> {me?.name} <Tag color="green">{tr(role[0], role[1])}</Tag>
              </Button>
            </Dropdown>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: mobile ? 8 : 16 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
