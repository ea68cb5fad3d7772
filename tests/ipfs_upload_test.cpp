// Stage 2 end to end: StageWorker + IpfsUploadProcessor + the Pinata client (against the fake
// Pinata) or the local store, images from a fake image host, on SQLite and PostgreSQL.
#include "workers/ipfs_upload.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "errors/errors.hpp"
#include "fakes/fake_pinata.hpp"
#include "http/api_server.hpp"
#include "image/local_generator.hpp"
#include "ipfs/cid.hpp"
#include "ipfs/local_store.hpp"
#include "ipfs/metadata.hpp"
#include "ipfs/pinata_pinner.hpp"
#include "store/token_lifecycle.hpp"
#include "test_support.hpp"

using namespace glisk;
using namespace std::chrono_literals;
using glisk::testing::Backend;
using glisk::testing::FakeImageHost;
using glisk::testing::FakePinata;
using token::Stage;
using token::TokenStatus;

namespace {
std::string png_bytes(const std::string& seed) { return image::render_png(seed); }
}  // namespace

class IpfsUploadTest : public ::testing::TestWithParam<Backend> {
 protected:
  glisk::testing::TestDatabase tdb{GetParam()};
  clock::ManualClock clock;
  queue::WakeBoard wake;
  store::TokenStore tokens{tdb.db(), clock};
  store::AuthorStore authors{tdb.db(), clock};
  store::TokenLifecycle queue{tdb.db(), clock, wake, "ipfs", 60s};
  glisk::testing::CapturedLog captured;
  FakePinata pinata;
  FakeImageHost host;
  net::HttpClient http;
  ipfs::PinataPinner pinner{http, {pinata.url(), FakePinata::kJwt, 5s}};
  workers::IpfsUploadProcessor processor{authors, http, pinner, captured.log, options()};
  workers::StageWorker worker{Stage::kIpfs,      queue, wake, processor, clock, captured.log, worker_options(),
                              [] { return 1.0; }};

  static workers::IpfsUploadOptions options() {
    workers::IpfsUploadOptions o;
    o.max_image_bytes = 200'000;
    o.download_timeout = 5s;
    o.description = "test description";
    return o;
  }
  static workers::WorkerOptions worker_options() {
    workers::WorkerOptions o;
    o.backoff = {2s, 60s};
    return o;
  }
  // A token that finished the image stage with `image_url`.
  void token_with_image(int64_t id, const std::string& image_url) {
    auto author =
        glisk::testing::add_author(tokens, "0x00000000000000000000000000000000000000a1", std::string("a prompt"));
    authors.set_handles(author, std::string("@glisk_artist"), std::nullopt);
    glisk::testing::add_token(tokens, id, author);
    auto c = queue.claim(Stage::kImage, 1).at(0);
    ASSERT_TRUE(queue.complete(Stage::kImage, id, c.lease, {.image_url = image_url}));
  }
};

TEST_P(IpfsUploadTest, PinsImageAndMetadataUnderTheCidsComputedHere) {
  const std::string png = png_bytes("a lighthouse");
  host.put("/img/1.png", 200, png);
  token_with_image(1, host.url() + "/img/1.png");
  EXPECT_EQ(worker.step(), 1u);
  auto t = *tokens.find_token(1);
  ASSERT_EQ(t.status, TokenStatus::kReady);
  EXPECT_EQ(t.image_cid, ipfs::cid_v1_for_file(png));
  const std::string metadata =
      ipfs::erc721_metadata({1, *t.image_cid, "0x00000000000000000000000000000000000000a1",
                             std::string("@glisk_artist"), std::nullopt, "GLISK S0 #{token_id}", "test description"});
  EXPECT_EQ(t.metadata_cid, ipfs::cid_v1_for_file(metadata));
  auto pins = pinata.pins();
  ASSERT_EQ(pins.size(), 2u);
  const auto& image_pin = pins.at(*t.image_cid);
  EXPECT_EQ(image_pin.file_name, "s0-token-1.png");
  EXPECT_EQ(image_pin.content_type, "image/png");
  EXPECT_EQ(image_pin.options, nlohmann::json({{"cidVersion", 1}}));
  EXPECT_EQ(image_pin.metadata["name"], "s0-token-1.png");
  EXPECT_EQ(image_pin.metadata["keyvalues"], nlohmann::json({{"season", "0"}, {"token_id", "1"}}));
  const auto& meta_pin = pins.at(*t.metadata_cid);
  EXPECT_EQ(meta_pin.file_name, "s0-token-1-metadata.json");
  auto doc = nlohmann::json::parse(meta_pin.bytes);
  EXPECT_EQ(doc["name"], "GLISK S0 #1");
  EXPECT_EQ(doc["image"], "ipfs://" + *t.image_cid);
  EXPECT_EQ(doc["attributes"][1]["value"], "@glisk_artist");
  for (const char* event :
       {"ipfs.upload.started", "ipfs.image_uploaded", "ipfs.metadata_uploaded", "ipfs.upload.succeeded"}) {
    EXPECT_EQ(captured.count(event), 1) << event;
  }
}

TEST_P(IpfsUploadTest, WebpImagesArePinnedUnderTheirRealType) {
  const std::string webp("RIFF\x10\x00\x00\x00WEBPVP8 data", 20);
  host.put("/img/1", 200, webp);
  token_with_image(1, host.url() + "/img/1");
  worker.step();
  auto t = *tokens.find_token(1);
  ASSERT_EQ(t.status, TokenStatus::kReady);
  EXPECT_EQ(pinata.pins().at(*t.image_cid).file_name, "s0-token-1.webp");
}

TEST_P(IpfsUploadTest, AnExpiredImageSendsTheTokenBackForANewOne) {
  for (int status : {404, 410, 403}) {
    host.put("/img/" + std::to_string(status), status, "gone");
    token_with_image(status, host.url() + "/img/" + std::to_string(status));
  }
  EXPECT_EQ(worker.step(), 3u);
  for (int status : {404, 410, 403}) {
    auto t = *tokens.find_token(status);
    EXPECT_EQ(t.status, TokenStatus::kDetected) << status;
    EXPECT_FALSE(t.image_url);
    EXPECT_EQ(t.generation_attempts, 1);
    EXPECT_NE(t.generation_error->find("expired"), std::string::npos) << *t.generation_error;
  }
  EXPECT_EQ(captured.count("ipfs.upload.sent_back"), 3);
  EXPECT_EQ(pinata.requests(), 0);
}

TEST_P(IpfsUploadTest, OversizeAndNonImageDownloadsFailWithAClearMessage) {
  host.put("/big.png", 200, std::string("\x89PNG\r\n\x1a\n", 8) + std::string(300'000, 'x'));
  host.put("/page.html", 200, "<html>not an image</html>");
  token_with_image(1, host.url() + "/big.png");
  token_with_image(2, host.url() + "/page.html");
  worker.step();
  auto big = *tokens.find_token(1);
  EXPECT_EQ(big.status, TokenStatus::kFailed);
  EXPECT_NE(big.generation_error->find("MAX_IMAGE_BYTES"), std::string::npos) << *big.generation_error;
  auto page = *tokens.find_token(2);
  EXPECT_EQ(page.status, TokenStatus::kFailed);
  EXPECT_NE(page.generation_error->find("is not a PNG, JPEG or WebP"), std::string::npos) << *page.generation_error;
  EXPECT_EQ(page.failed_stage, Stage::kIpfs);
}

TEST_P(IpfsUploadTest, AWrongCidFromThePinnerNeverAdvancesTheToken) {
  host.put("/img/1.png", 200, png_bytes("x"));
  token_with_image(1, host.url() + "/img/1.png");
  pinata.answer_wrong_cids(true);
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kFailed);
  EXPECT_FALSE(t.metadata_cid);
  EXPECT_NE(t.generation_error->find("but its bytes hash to"), std::string::npos) << *t.generation_error;
  EXPECT_EQ(captured.count("ipfs.upload.failed"), 1);
}

TEST_P(IpfsUploadTest, PinataErrorsAreClassified) {
  host.put("/img/1.png", 200, png_bytes("x"));
  host.put("/img/2.png", 200, png_bytes("y"));
  token_with_image(1, host.url() + "/img/1.png");
  token_with_image(2, host.url() + "/img/2.png");
  pinata.queue_answer(429, R"({"error":{"reason":"RATE_LIMITED","details":"slow down"}})", {{"Retry-After", "20"}},
                      "s0-token-1.png");
  pinata.queue_answer(
      403, R"({"error":{"reason":"NO_SCOPES_FOUND","details":"This key does not have the required scopes"}})", {},
      "s0-token-2.png");
  worker.step();
  auto limited = *tokens.find_token(1);
  EXPECT_EQ(limited.status, TokenStatus::kUploading);
  EXPECT_EQ(limited.next_attempt_at, clock.now() + 20s);
  // A rate limit is the account's, not the token's: the stage pauses and no attempt is counted.
  EXPECT_EQ(limited.upload_attempts, 0);
  EXPECT_EQ(captured.count("provider.rate_limited"), 1);
  EXPECT_EQ(captured.count("ipfs.transient_error"), 0);
  // A key without the scope is the account's fault too: the breaker opens, the token waits uncharged.
  auto refused = *tokens.find_token(2);
  EXPECT_EQ(refused.status, TokenStatus::kUploading);
  EXPECT_EQ(refused.upload_attempts, 0);
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kOpen);
  EXPECT_EQ(captured.count("provider.breaker_opened"), 1);
  EXPECT_NE(captured.text().find("check PINATA_JWT and that its key has the pinFileToIPFS scope"), std::string::npos)
      << captured.text();
  clock.advance(20s);
  while (worker.step() > 0) {
  }
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kReady);
  EXPECT_EQ(tokens.find_token(2)->status, TokenStatus::kReady);
}

TEST_P(IpfsUploadTest, ServerErrorsAndLostAnswersAreRetriedAndPinTheSameBytesAgain) {
  host.put("/img/1.png", 200, png_bytes("x"));
  token_with_image(1, host.url() + "/img/1.png");
  pinata.queue_answer(500, R"({"error":"Internal Server Error"})", {}, "s0-token-1.png");
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  pinata.queue_drop("s0-token-1.png");  // the image's next answer is cut off midway
  clock.advance(2s);
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kUploading);
  // The service's faults, not the token's: postponed, no attempt counted (two in a row keep
  // the breaker closed).
  EXPECT_EQ(captured.count("ipfs.transient_error"), 0);
  EXPECT_EQ(captured.count("worker.postponed"), 2);
  EXPECT_EQ(worker.breaker().state, workers::BreakerState::kClosed);
  clock.advance(2s);
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kReady);
  EXPECT_EQ(t.image_cid, ipfs::cid_v1_for_file(png_bytes("x")));
  EXPECT_EQ(t.upload_attempts, 0);
}

TEST_P(IpfsUploadTest, ImageAndMetadataArePinnedAtOnceAndAFailedMetadataPinKeepsTheImage) {
  host.put("/img/1.png", 200, png_bytes("x"));
  token_with_image(1, host.url() + "/img/1.png");
  pinata.queue_answer(503, R"({"error":"Service Unavailable"})", {}, "metadata");
  worker.step();
  auto t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kUploading) << "no token advances without both pins";
  EXPECT_EQ(t.image_cid, ipfs::cid_v1_for_file(png_bytes("x"))) << "the image pin is kept";
  EXPECT_FALSE(t.metadata_cid);
  EXPECT_EQ(pinata.requests(), 2);
  clock.advance(2s);
  worker.step();
  t = *tokens.find_token(1);
  EXPECT_EQ(t.status, TokenStatus::kReady);
  EXPECT_EQ(pinata.requests(), 3) << "the retry pins only the metadata";
  EXPECT_EQ(host.requests(), 1) << "and needs no download";
  // The metadata pinned names the image's CID, computed before any pin.
  const auto metadata = nlohmann::json::parse(pinata.pins().at(*t.metadata_cid).bytes);
  EXPECT_EQ(metadata.at("image"), "ipfs://" + *t.image_cid);
}

TEST_P(IpfsUploadTest, ARetryAfterTheImageWasPinnedNeedsNoDownload) {
  host.put("/img/1.png", 200, png_bytes("x"));
  token_with_image(1, host.url() + "/img/1.png");
  // The image pin fails (the metadata, pinned at the same time, is pinned again on the retry).
  pinata.queue_answer(503, R"({"error":"Service Unavailable"})", {}, "s0-token-1.png");
  worker.step();
  EXPECT_FALSE(tokens.find_token(1)->image_cid);
  clock.advance(2s);
  worker.step();  // image pinned, metadata pinned
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kReady);
  const int downloads = host.requests();
  // Simulate a metadata failure after the checkpoint: reset to uploading with the image_cid kept.
  store::in_transaction(tdb.db(), store::TxMode::kWrite, [](store::Transaction& tx) {
    tx.exec("UPDATE tokens_s0 SET status = 'uploading', metadata_cid = NULL WHERE token_id = 1");
  });
  host.put("/img/1.png", 410, "expired by now");
  worker.step();
  EXPECT_EQ(tokens.find_token(1)->status, TokenStatus::kReady);
  EXPECT_EQ(host.requests(), downloads) << "the saved image_cid made the download unnecessary";
}

TEST_P(IpfsUploadTest, TheLocalStoreServesWhatItPinsOverHttp) {
  auto dir = std::filesystem::temp_directory_path() /
             ("glisk_ipfs_" + std::to_string(getpid()) + "_" + glisk::testing::backend_name(GetParam()));
  ipfs::LocalIpfsStore store(dir);
  workers::IpfsUploadProcessor local_processor{authors, http, store, captured.log, options()};
  workers::StageWorker local_worker{Stage::kIpfs, queue, wake, local_processor, clock, captured.log, worker_options()};
  image::LocalImageGenerator generator(dir);
  auto generated = generator.generate("a lighthouse", std::nullopt, [](const std::string&) {}, {});
  token_with_image(1, generated.url);  // a file:// URL from the local generator
  EXPECT_EQ(local_worker.step(), 1u);
  auto t = *tokens.find_token(1);
  ASSERT_EQ(t.status, TokenStatus::kReady);

  http::ApiServer api(tokens, captured.log, "test", &store);
  httplib::Client client("127.0.0.1", api.start("127.0.0.1", 0));
  auto image = client.Get("/ipfs/" + *t.image_cid);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->status, 200);
  EXPECT_EQ(image->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(image->body, image::render_png("a lighthouse"));
  auto metadata = client.Get("/ipfs/" + *t.metadata_cid);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(metadata->body)["image"], "ipfs://" + *t.image_cid);
  EXPECT_EQ(client.Get("/ipfs/" + ipfs::cid_v1_for_file("never pinned"))->status, 404);
  EXPECT_EQ(client.Get("/ipfs/not-a-cid")->status, 400);
  EXPECT_EQ(client.Get("/ipfs/..%2F..%2Fetc%2Fpasswd")->status / 100, 4) << "no path escapes the store";
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, IpfsUploadTest, ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         glisk::testing::backend_param_name);

TEST(Erc721Metadata, BytesAreFixedForTheSameInputs) {
  ipfs::MetadataInput in{7, "bafkimage", "0xabc", std::string("@x"), std::string("fc"), "GLISK S0 #{token_id}", "d"};
  const std::string a = ipfs::erc721_metadata(in);
  EXPECT_EQ(a, ipfs::erc721_metadata(in));
  EXPECT_EQ(a, R"({"name":"GLISK S0 #7","description":"d","image":"ipfs://bafkimage","attributes":[)"
               R"({"trait_type":"Author","value":"0xabc"},{"trait_type":"X","value":"@x"},)"
               R"({"trait_type":"Farcaster","value":"fc"}]})");
}

TEST(PinataMultipart, CarriesTheFileOptionsAndMetadata) {
  auto [body, boundary] = ipfs::pinata_multipart({"PNGDATA", "s0-token-1.png", "image/png", {{"season", "0"}}});
  EXPECT_NE(body.find("name=\"file\"; filename=\"s0-token-1.png\"\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n"),
            std::string::npos);
  EXPECT_NE(body.find("name=\"pinataOptions\"\r\n\r\n{\"cidVersion\":1}"), std::string::npos);
  EXPECT_NE(body.find(R"({"keyvalues":{"season":"0"},"name":"s0-token-1.png"})"), std::string::npos) << body;
  EXPECT_TRUE(body.ends_with("--" + boundary + "--\r\n"));
}

TEST(PinataPinner, ABadJwtIsAnAccountOutageAndNamesTheVariable) {
  FakePinata pinata;
  net::HttpClient http;
  ipfs::PinataPinner pinner(http, {pinata.url(), "eyJwrong.secret", 5s});
  auto e = glisk::testing::thrown<errors::OutageError>([&] { pinner.pin({"x", "f.png", "image/png", {}}, {}); });
  EXPECT_NE(std::string(e.what()).find("INVALID_CREDENTIALS"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("check PINATA_JWT"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("eyJwrong.secret"), std::string::npos);
}
