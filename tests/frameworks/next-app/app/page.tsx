export default function Home() {
  return <p>caspay-webhooks framework test</p>;
}
